#include "syncbuttonwithprogress.h"

#include "mutationhandle.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

SyncButtonWithProgress::SyncButtonWithProgress(
    QString actionText, Submit submit, Discard discard, QWidget *parent)
    : QWidget(parent)
    , m_actionText(std::move(actionText))
    , m_submit(std::move(submit))
    , m_discard(std::move(discard))
    , m_button(new QPushButton(this))
    , m_cancel(new QPushButton(tr("Cancel the rest"), this))
    , m_progress(new QProgressBar(this))
    , m_label(new QLabel(this))
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_button);
    layout->addWidget(m_progress, 1);
    layout->addWidget(m_label);
    layout->addWidget(m_cancel);
    m_progress->setFormat(tr("%v / %m confirmed"));
    connect(m_button, &QPushButton::clicked, this, &SyncButtonWithProgress::start);
    connect(m_cancel, &QPushButton::clicked, this, &SyncButtonWithProgress::cancel);
    refreshButton();
    update();
}

void SyncButtonWithProgress::setItems(const QStringList &itemIds)
{
    m_items = itemIds;
    refreshButton();
}

void SyncButtonWithProgress::refreshButton()
{
    m_button->setText(tr("%1 (%2)").arg(m_actionText).arg(m_items.size()));
    m_button->setEnabled(!isRunning() && !m_items.isEmpty());
    m_button->setAccessibleName(m_button->text());
}

void SyncButtonWithProgress::start()
{
    if (isRunning() || m_items.isEmpty())
        return;
    m_confirmed = m_failed = m_cancelled = 0;
    m_confirmedKeys.clear();
    m_failedKeys.clear();
    for (const QString &id : std::as_const(m_items)) {
        MutationHandle *h = m_submit(id);
        if (!h) {
            ++m_failed;
            continue;
        }
        m_handles.append(h);
        connect(h, &MutationHandle::changed, this, &SyncButtonWithProgress::update);
        connect(h, &QObject::destroyed, this, &SyncButtonWithProgress::update);
    }
    m_progress->setMaximum(int(m_handles.size()));
    refreshButton();
    update();
}

void SyncButtonWithProgress::cancel()
{
    for (const QPointer<MutationHandle> &h : std::as_const(m_handles)) {
        if (h && (h->state() == Mutation::State::Queued || h->state() == Mutation::State::Waiting)
            && m_discard(h->key()))
            ++m_cancelled;
    }
    update();
}

void SyncButtonWithProgress::update()
{
    if (m_handles.isEmpty()) {
        m_progress->setVisible(false);
        m_cancel->setVisible(false);
        m_label->setVisible(false);
        return;
    }
    int open = 0;
    for (const QPointer<MutationHandle> &h : std::as_const(m_handles)) {
        if (!h)
            continue; // discarded (cancelled) or long done: already counted
        switch (h->state()) {
        case Mutation::State::Confirmed:
            m_confirmedKeys.insert(h->key());
            break;
        case Mutation::State::Failed:
        case Mutation::State::NeedsReview:
        case Mutation::State::Unconfirmed:
            m_failedKeys.insert(h->key());
            break;
        default:
            ++open;
            break;
        }
    }
    const int before = m_confirmed;
    m_confirmed = int(m_confirmedKeys.size());
    const int failed = int(m_failedKeys.size());
    if (m_confirmed != before) {
        m_progress->setAccessibleDescription(
            tr("%1 of %2 confirmed").arg(m_confirmed).arg(m_handles.size()));
        emit progressChanged(m_confirmed, int(m_handles.size()));
    }
    m_progress->setVisible(true);
    m_progress->setValue(m_confirmed);
    m_cancel->setVisible(open > 0);
    m_label->setVisible(failed > 0 || m_cancelled > 0);
    m_label->setText(tr("%1 failed, %2 cancelled").arg(failed).arg(m_cancelled));
    if (open == 0) {
        const QList<QPointer<MutationHandle>> done = std::move(m_handles);
        m_handles.clear();
        m_failed += failed;
        refreshButton();
        Q_UNUSED(done)
        emit finished(m_confirmed, m_failed, m_cancelled);
        m_progress->setVisible(true); // keep showing the result
    }
}
