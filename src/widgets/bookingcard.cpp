#include "bookingcard.h"

#include "bookingstore.h"
#include "statuschip.h"
#include "syncbutton.h"
#include "syncbuttonwithconfirm.h"
#include "wireformat.h"

#include <QGridLayout>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>

BookingCard::BookingCard(Handles handles, QWidget *parent)
    : CardWidget(parent)
    , m_handles(std::move(handles))
    , m_customer(new QLabel(this))
    , m_details(new QLabel(this))
    , m_updated(new QLabel(this))
    , m_chip(new StatusChip(this))
    , m_confirm(new SyncButton(tr("Confirm"), this))
    , m_delete(new SyncButtonWithConfirm(tr("Delete"), tr("Delete booking"), QString(), this))
{
    QFont bold = m_customer->font();
    bold.setBold(true);
    bold.setPointSizeF(bold.pointSizeF() * 1.1);
    m_customer->setFont(bold);
    m_updated->setForegroundRole(QPalette::PlaceholderText);
    m_confirm->setSuccessMessage(tr("Booking confirmed"));
    m_delete->setSuccessMessage(tr("Booking deleted"));
    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(10, 6, 10, 6);
    layout->addWidget(m_customer, 0, 0);
    layout->addWidget(m_chip, 0, 1, Qt::AlignLeft);
    layout->addWidget(m_details, 1, 0, 1, 2);
    layout->addWidget(m_updated, 2, 0, 1, 2);
    layout->addWidget(m_confirm, 0, 3, 3, 1);
    layout->addWidget(m_delete, 0, 4, 3, 1);
    layout->setColumnStretch(2, 1);
    connect(m_confirm, &SyncButton::actionRequested, this, [this] { emit confirmRequested(m_id); });
    connect(m_delete, &SyncButton::actionRequested, this, [this] { emit deleteRequested(m_id); });
    for (SyncButton *b :
        { static_cast<SyncButton *>(m_confirm), static_cast<SyncButton *>(m_delete) }) {
        connect(b, &SyncButton::retryRequested, this, &BookingCard::retryRequested);
        connect(b, &SyncButton::settled, this, &BookingCard::settled);
    }
}

void BookingCard::bind(const QModelIndex &index)
{
    setIndex(index);
    const QJsonObject row = index.data(RowStore::RowRole).toJsonObject();
    const QString id = row.value(QStringLiteral("id")).toString();
    const bool rebound = id != m_id;
    m_id = id;
    const QString customer = row.value(QStringLiteral("customer_name")).toString();
    const QString status = row.value(QStringLiteral("status")).toString();
    const bool pending = index.data(RowStore::PendingRole).toBool();
    const QLocale locale;
    const QDateTime starts
        = WireFormat::parseTimestamp(row.value(QStringLiteral("starts_at")).toString())
              .toLocalTime();
    const QDateTime updated
        = WireFormat::parseTimestamp(row.value(QStringLiteral("updated_at")).toString())
              .toLocalTime();
    m_customer->setText(customer);
    m_details->setText(tr("%1 · %2").arg(row.value(QStringLiteral("service")).toString(),
        locale.toString(starts, QLocale::ShortFormat)));
    m_updated->setText(tr("Updated %1 · version %2")
                           .arg(locale.toString(updated, QLocale::ShortFormat))
                           .arg(row.value(QStringLiteral("version")).toInteger()));
    m_chip->setStatus(status, pending);
    m_delete->setQuestion(tr("Delete booking"),
        tr("Delete the booking of %1 on %2? This cannot be undone.")
            .arg(customer, locale.toString(starts, QLocale::ShortFormat)));
    // The chip's words: "confirmed (pending)" while the change is not at the server yet, so a
    // screen reader never hears "confirmed" for what only this computer knows.
    setAccessibleName(tr("Booking: %1, %2, %3, %4")
                          .arg(customer, row.value(QStringLiteral("service")).toString(),
                              locale.toString(starts, QLocale::ShortFormat), m_chip->text()));

    const auto [confirm, remove] = m_handles(id);
    if (rebound || m_confirm->handle() != confirm)
        m_confirm->setHandle(confirm);
    if (rebound || m_delete->handle() != remove)
        m_delete->setHandle(remove);
    m_confirm->setActionAvailable(status == QLatin1String("pending"));
    m_confirm->setIdleText(status == QLatin1String("confirmed") ? tr("Confirmed")
            : status == QLatin1String("cancelled")              ? tr("Cancelled")
                                                                : tr("Confirm"));
}
