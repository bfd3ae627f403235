#include "syncbutton.h"

#include "mutationhandle.h"

#include <QDateTime>
#include <QMetaEnum>
#include <QPainter>
#include <QStyle>
#include <QStyleOptionButton>

namespace {
constexpr int spinnerSize = 14;
}

SyncButton::SyncButton(const QString &idleText, QWidget *parent)
    : QPushButton(idleText, parent)
    , m_idleText(idleText)
{
    setAutoDefault(false);
    connect(this, &QPushButton::clicked, this, &SyncButton::onClicked);
    connect(&m_tick, &QTimer::timeout, this, [this] {
        m_spinAngle = (m_spinAngle + 30) % 360;
        if (m_look == Look::Retrying)
            refresh(); // the countdown
        else
            update();
    });
    m_settle.setSingleShot(true);
    connect(&m_settle, &QTimer::timeout, this, [this] {
        if (m_look == Look::Confirmed) {
            m_handle = nullptr;
            setLook(Look::Idle);
        }
    });
    refresh();
}

SyncButton::~SyncButton() = default;

QString SyncButton::lookName(Look look)
{
    return QString::fromLatin1(QMetaEnum::fromType<Look>().valueToKey(int(look)));
}

void SyncButton::setIdleText(const QString &text)
{
    m_idleText = text;
    refresh();
}

void SyncButton::setActionAvailable(bool available)
{
    m_actionAvailable = available;
    refresh();
}

void SyncButton::setHandle(MutationHandle *handle)
{
    if (m_handle)
        m_handle->disconnect(this);
    m_handle = handle;
    m_settle.stop();
    if (handle) {
        connect(handle, &MutationHandle::changed, this, &SyncButton::refresh);
        connect(handle, &QObject::destroyed, this, [this] {
            if (m_look != Look::Confirmed)
                setLook(Look::Idle);
        });
    }
    refresh();
}

void SyncButton::onClicked()
{
    switch (m_look) {
    case Look::Idle:
    case Look::Failed:
        if (m_actionAvailable)
            requestAction();
        break;
    case Look::NeedsReview:
    case Look::Unconfirmed:
        if (m_handle)
            emit retryRequested(m_handle->key());
        break;
    default:
        break; // on its way: nothing to do (and the button is disabled anyway)
    }
}

void SyncButton::refresh()
{
    if (!m_handle) {
        if (m_look != Look::Confirmed)
            setLook(Look::Idle);
        return;
    }
    const Mutation &m = m_handle->mutation();
    switch (m.phase()) {
    case Mutation::Phase::Sending:
        setLook(Look::Sending);
        break;
    // The offline probe too: "will send when online", not a spinner for as long as a hanging
    // server takes.
    case Mutation::Phase::Probing:
    case Mutation::Phase::OfflineQueued:
    case Mutation::Phase::AwaitingSignIn:
        setLook(Look::Queued);
        break;
    case Mutation::Phase::AwaitingEcho:
        setLook(Look::AwaitingEcho);
        break;
    case Mutation::Phase::Done:
        setLook(Look::Confirmed);
        break;
    case Mutation::Phase::Retrying:
        setLook(Look::Retrying);
        break;
    case Mutation::Phase::Failed:
        setLook(Look::Failed);
        break;
    case Mutation::Phase::NeedsReview:
        setLook(Look::NeedsReview);
        break;
    case Mutation::Phase::Unconfirmed:
        setLook(Look::Unconfirmed);
        break;
    }
    if (m_look == Look::Retrying) {
        const qint64 seconds = std::max<qint64>(
            0, (m.nextAttemptAtMs - QDateTime::currentMSecsSinceEpoch() + 999) / 1000);
        setText(tr("Retrying in %1 s").arg(seconds));
    }
}

void SyncButton::setLook(Look look)
{
    const Look before = m_look;
    m_look = look;
    QString text;
    QString tip;
    bool enabled = false;
    switch (look) {
    case Look::Idle:
        text = m_idleText;
        tip = m_actionAvailable ? m_idleText : tr("Nothing to do");
        enabled = m_actionAvailable;
        break;
    case Look::Sending:
        text = tr("Sending…");
        tip = tr("%1: sending to the server").arg(m_idleText);
        break;
    case Look::AwaitingEcho:
        text = tr("Confirming…");
        tip = tr("%1: the server accepted it; waiting to see the change").arg(m_idleText);
        break;
    case Look::Confirmed:
        text = tr("✓ Done");
        tip = m_successMessage.isEmpty() ? tr("%1: done").arg(m_idleText) : m_successMessage;
        break;
    case Look::Queued:
        text = tr("Will send when online");
        tip = tr("%1: saved on this computer; it will be sent as soon as the server is reachable")
                  .arg(m_idleText);
        break;
    case Look::Retrying:
        text = tr("Retrying…");
        tip = tr("%1: the server is busy; trying again automatically (%2)")
                  .arg(m_idleText, m_handle ? m_handle->errorMessage() : QString());
        break;
    case Look::Failed:
        text = tr("Failed – try again");
        tip = m_handle ? m_handle->errorMessage() : m_errorMessage;
        if (tip.isEmpty())
            tip = tr("%1 failed; click to try again").arg(m_idleText);
        enabled = m_actionAvailable;
        break;
    case Look::NeedsReview:
        text = tr("Needs review – resubmit");
        tip = tr("This change waited longer than the server remembers requests; check it, then "
                 "resubmit");
        enabled = true;
        break;
    case Look::Unconfirmed:
        text = tr("Unconfirmed – check again");
        tip = tr("The server accepted the change but it was not seen back; click to check again");
        enabled = true;
        break;
    }
    // Cards re-bind as the list scrolls: change only what differs (a new text means a new
    // size hint and a relayout).
    if (this->text() != text) {
        setText(text);
        updateGeometry();
    }
    if (accessibleName() != text)
        setAccessibleName(text);
    if (toolTip() != tip) {
        setToolTip(tip);
        setAccessibleDescription(tip);
    }
    if (isEnabled() != enabled)
        setEnabled(enabled);
    if (spinning() || look == Look::Retrying)
        m_tick.start(look == Look::Retrying ? 1000 : 80);
    else
        m_tick.stop();
    if (look == Look::Confirmed && before != Look::Confirmed)
        m_settle.start(m_confirmedHoldMs);
    if (before != look) {
        if (look == Look::Confirmed)
            emit settled(true, m_successMessage);
        else if (look == Look::Failed || look == Look::NeedsReview || look == Look::Unconfirmed)
            emit settled(false,
                m_handle && !m_handle->errorMessage().isEmpty() ? m_handle->errorMessage()
                                                                : m_errorMessage);
    }
    update();
}

QSize SyncButton::sizeHint() const
{
    QSize size = QPushButton::sizeHint();
    return size + QSize(spinnerSize + 6, 0);
}

void SyncButton::paintEvent(QPaintEvent *event)
{
    QPushButton::paintEvent(event);
    if (!spinning())
        return;
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    QPen pen(palette().color(QPalette::ButtonText));
    pen.setWidthF(2.0);
    pen.setCapStyle(Qt::RoundCap);
    painter.setPen(pen);
    const QRect arc(6, (height() - spinnerSize) / 2, spinnerSize, spinnerSize);
    painter.drawArc(arc, -m_spinAngle * 16, 270 * 16);
}
