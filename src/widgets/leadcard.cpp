#include "leadcard.h"

#include "leadstore.h"
#include "statuschip.h"
#include "syncbutton.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QJsonObject>
#include <QLabel>

const QStringList &LeadCard::statuses()
{
    static const QStringList all { QStringLiteral("contacted"), QStringLiteral("qualified"),
        QStringLiteral("won"), QStringLiteral("lost") };
    return all;
}

LeadCard::LeadCard(Handles handles, QWidget *parent)
    : CardWidget(parent)
    , m_handles(std::move(handles))
    , m_title(new QLabel(this))
    , m_contact(new QLabel(this))
    , m_lastSms(new QLabel(this))
    , m_chip(new StatusChip(this))
    , m_sms(new SyncButton(tr("Send SMS…"), this))
{
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    m_lastSms->setForegroundRole(QPalette::PlaceholderText);
    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    layout->addWidget(m_title, 0, 0);
    layout->addWidget(m_chip, 0, 1, Qt::AlignLeft);
    layout->addWidget(m_contact, 1, 0, 1, 2);
    layout->addWidget(m_lastSms, 2, 0, 1, 2);
    auto *actions = new QHBoxLayout;
    const QHash<QString, QString> labels { { QStringLiteral("contacted"), tr("Contacted") },
        { QStringLiteral("qualified"), tr("Qualified") }, { QStringLiteral("won"), tr("Won") },
        { QStringLiteral("lost"), tr("Lost") } };
    for (const QString &status : statuses()) {
        auto *b = new SyncButton(labels.value(status), this);
        b->setToolTip(tr("Mark as %1").arg(labels.value(status).toLower()));
        b->setSuccessMessage(tr("Lead marked as %1").arg(labels.value(status).toLower()));
        connect(b, &SyncButton::actionRequested, this,
            [this, status] { emit statusRequested(m_id, status); });
        m_statusButtons.insert(status, b);
        actions->addWidget(b);
    }
    actions->addWidget(m_sms);
    m_sms->setSuccessMessage(tr("SMS accepted; delivery follows"));
    connect(m_sms, &SyncButton::actionRequested, this, [this] { emit smsRequested(m_id, m_name); });
    for (SyncButton *b : m_statusButtons.values() + QList<SyncButton *> { m_sms }) {
        connect(b, &SyncButton::retryRequested, this, &LeadCard::retryRequested);
        connect(b, &SyncButton::settled, this, &LeadCard::settled);
    }
    layout->addLayout(actions, 0, 3, 3, 1, Qt::AlignVCenter);
    layout->setColumnStretch(2, 1);
}

void LeadCard::bind(const QModelIndex &index)
{
    setIndex(index);
    const QJsonObject row = index.data(RowStore::RowRole).toJsonObject();
    const QString id = row.value(QStringLiteral("id")).toString();
    const bool rebound = id != m_id;
    m_id = id;
    m_name = row.value(QStringLiteral("name")).toString();
    const QString status = row.value(QStringLiteral("status")).toString();
    m_title->setText(m_name);
    m_contact->setText(tr("%1 · %2").arg(row.value(QStringLiteral("phone")).toString(),
        row.value(QStringLiteral("email")).toString()));
    m_chip->setStatus(status, index.data(RowStore::PendingRole).toBool());
    const QJsonObject sms = index.data(LeadStore::LastSmsRole).toJsonObject();
    if (sms.isEmpty()) {
        m_lastSms->setText(tr("No SMS yet"));
    } else {
        const QString smsStatus = sms.value(QStringLiteral("status")).toString();
        const QString error = sms.value(QStringLiteral("last_error")).toString();
        m_lastSms->setText(
            tr("Last SMS: %1 — “%2”%3")
                .arg(smsStatus, sms.value(QStringLiteral("body")).toString().left(40),
                    smsStatus == QLatin1String("failed") && !error.isEmpty()
                        ? QStringLiteral(" (") + error + QLatin1Char(')')
                        : QString()));
    }
    setAccessibleName(tr("Lead: %1, %2").arg(m_name, m_chip->text()));
    for (auto it = m_statusButtons.cbegin(); it != m_statusButtons.cend(); ++it) {
        MutationHandle *h
            = m_handles(id, QStringLiteral("status"), { { QStringLiteral("status"), it.key() } });
        if (rebound || it.value()->handle() != h)
            it.value()->setHandle(h);
        it.value()->setActionAvailable(status != it.key());
    }
    MutationHandle *sending = m_handles(id, QStringLiteral("send-sms"), {});
    if (rebound || m_sms->handle() != sending)
        m_sms->setHandle(sending);
}
