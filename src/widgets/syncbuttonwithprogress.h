#pragma once

#include "mutationhandle.h"

#include <QList>
#include <QPointer>
#include <QSet>
#include <QStringList>
#include <QWidget>
#include <functional>
class QLabel;
class QProgressBar;
class QPushButton;

// A bulk action over N items, one mutation per item (each with its own key, all persisted at
// once, so a crash part-way resumes the rest and redoes nothing). Progress counts items whose
// change was seen confirmed; Cancel discards the items not yet sent.
class SyncButtonWithProgress : public QWidget
{
    Q_OBJECT
public:
    using Submit = std::function<MutationHandle *(const QString &itemId)>;
    using Discard = std::function<bool(const QString &key)>;

    SyncButtonWithProgress(
        QString actionText, Submit submit, Discard discard, QWidget *parent = nullptr);

    // The items the next run acts on (e.g. the selection): "Confirm selected (N)".
    void setItems(const QStringList &itemIds);
    bool isRunning() const { return !m_handles.isEmpty(); }
    int total() const { return int(m_handles.size()); }
    int confirmed() const { return m_confirmed; }
    QPushButton *button() const { return m_button; }
    QPushButton *cancelButton() const { return m_cancel; }
    QProgressBar *progressBar() const { return m_progress; }

    void start();
    void cancel();

signals:
    void progressChanged(int confirmed, int total);
    void finished(int confirmed, int failed, int cancelled);

private:
    void update();
    void refreshButton();

    const QString m_actionText;
    Submit m_submit;
    Discard m_discard;
    QStringList m_items;
    QList<QPointer<MutationHandle>> m_handles;
    QSet<QString> m_confirmedKeys; // seen confirmed (the engine forgets confirmed handles later)
    QSet<QString> m_failedKeys;
    int m_confirmed = 0;
    int m_failed = 0;
    int m_cancelled = 0;
    QPushButton *m_button;
    QPushButton *m_cancel;
    QProgressBar *m_progress;
    QLabel *m_label;
};
