#include "toastoverlay.h"

#include <QAccessible>
#include <QEvent>

ToastOverlay::ToastOverlay(QWidget *window)
    : QLabel(window)
{
    setWordWrap(true);
    setAlignment(Qt::AlignCenter);
    setAttribute(Qt::WA_TransparentForMouseEvents);
    hide();
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ToastOverlay::next);
    window->installEventFilter(this);
}

void ToastOverlay::show(bool success, const QString &message)
{
    if (message.isEmpty())
        return;
    m_queue.enqueue({ success, message });
    if (!m_timer.isActive())
        next();
}

void ToastOverlay::next()
{
    if (m_queue.isEmpty()) {
        hide();
        return;
    }
    const auto [success, message] = m_queue.dequeue();
    m_history.append(message);
    setText(message);
    setStyleSheet(QStringLiteral(
        "QLabel { color: white; background: %1; border-radius: 6px; padding: 8px 14px; }")
                      .arg(success ? QStringLiteral("#2e7d32") : QStringLiteral("#c62828")));
    setAccessibleName(message);
    QLabel::show();
    raise();
    place();
    QAccessibleEvent event(this, QAccessible::Alert);
    QAccessible::updateAccessibility(&event);
    m_timer.start(success ? 2500 : 6000);
}

void ToastOverlay::place()
{
    QWidget *w = parentWidget();
    const int width = std::min(480, w->width() - 40);
    setFixedWidth(width);
    adjustSize();
    move((w->width() - width) / 2, w->height() - height() - 48);
}

bool ToastOverlay::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == parentWidget() && event->type() == QEvent::Resize && isVisible())
        place();
    return QLabel::eventFilter(watched, event);
}
