#include "leadsview.h"

#include "cardlistview.h"
#include "leadcard.h"
#include "leadstore.h"
#include "mutationengine.h"
#include "mutationhandle.h"
#include "smscomposedialog.h"
#include "syncsession.h"

#include <QJsonObject>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QVBoxLayout>

LeadsView::LeadsView(SyncSession *session, QWidget *parent)
    : QWidget(parent)
    , m_session(session)
    , m_proxy(new QSortFilterProxyModel(this))
    , m_search(new QLineEdit(this))
{
    m_proxy->setSourceModel(session->leads());
    m_proxy->setFilterRole(LeadStore::NameRole);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_list = new CardListView(
        [this](QWidget *host) {
            auto *card = new LeadCard(
                [this](const QString &id, const QString &action, const QJsonObject &match) {
                    return m_session->engine()->latest(QStringLiteral("leads"), id, action, match);
                },
                host);
            connect(card, &LeadCard::statusRequested, this, &LeadsView::setStatus);
            connect(card, &LeadCard::smsRequested, this, &LeadsView::compose);
            connect(card, &LeadCard::retryRequested, this, &LeadsView::retry);
            connect(card, &LeadCard::settled, this, &LeadsView::notify);
            return card;
        },
        LeadCard::height, this);
    m_list->setModel(m_proxy);
    m_list->setSelectionMode(QAbstractItemView::SingleSelection);
    m_list->setAccessibleName(tr("Leads"));
    m_search->setPlaceholderText(tr("Search leads"));
    m_search->setClearButtonEnabled(true);
    connect(
        m_search, &QLineEdit::textChanged, m_proxy, &QSortFilterProxyModel::setFilterFixedString);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_search);
    layout->addWidget(m_list, 1);
}

LeadCard *LeadsView::cardFor(const QString &leadId) const
{
    for (CardWidget *card : m_list->visibleCards()) {
        auto *lead = static_cast<LeadCard *>(card);
        if (lead->leadId() == leadId)
            return lead;
    }
    return nullptr;
}

void LeadsView::setStatus(const QString &leadId, const QString &status)
{
    const QJsonObject toThis { { QStringLiteral("status"), status } };
    if (MutationHandle *busy = m_session->engine()->latest(
            QStringLiteral("leads"), leadId, QStringLiteral("status"), toThis);
        busy && !busy->isFinal())
        return;
    if (m_session->setLeadStatus(leadId, status))
        refreshCard(leadId);
}

void LeadsView::compose(const QString &leadId, const QString &name)
{
    auto *dialog = new SmsComposeDialog(name, window());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this,
        [this, dialog, leadId] { sendSms(leadId, dialog->message()); });
    dialog->open();
}

void LeadsView::sendSms(const QString &leadId, const QString &message)
{
    if (m_session->sendSms(leadId, message))
        refreshCard(leadId);
}

void LeadsView::retry(const QString &key)
{
    // A resubmit is a new mutation with a new handle, now the lead's latest: the button binds
    // that one, or it would show rest while the new one is on its way and a second click would
    // send a second SMS.
    MutationHandle *h = m_session->engine()->handle(key);
    if (!h)
        return;
    const QString leadId = h->mutation().entityId;
    if (MutationHandle *now = m_session->engine()->retry(key); now && now != h)
        refreshCard(leadId);
}

void LeadsView::refreshCard(const QString &leadId)
{
    if (LeadCard *card = cardFor(leadId))
        card->bind(card->index());
}
