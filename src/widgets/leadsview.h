#pragma once

#include <QWidget>

class CardListView;
class LeadCard;
class QLineEdit;
class QSortFilterProxyModel;
class SyncSession;

// The leads: cards with status actions and Send SMS; a text filter.
class LeadsView : public QWidget
{
    Q_OBJECT
public:
    explicit LeadsView(SyncSession *session, QWidget *parent = nullptr);

    CardListView *list() const { return m_list; }
    LeadCard *cardFor(const QString &leadId) const;
    void sendSms(const QString &leadId, const QString &message);
    void setStatus(const QString &leadId, const QString &status);

signals:
    void notify(bool success, const QString &message);

private:
    void compose(const QString &leadId, const QString &name);
    void retry(const QString &key);
    void refreshCard(const QString &leadId);

    SyncSession *m_session;
    QSortFilterProxyModel *m_proxy;
    CardListView *m_list;
    QLineEdit *m_search;
};
