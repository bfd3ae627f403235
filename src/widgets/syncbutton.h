#pragma once

#include "mutationhandle.h"

#include <QPointer>
#include <QPushButton>
#include <QTimer>

// A button that never lies: it shows the state of the mutation it started, bound to the
// engine's handle — sending (spinner), waiting for the change to be seen back, confirmed ✓,
// queued offline ("will send when online", no spinner), retrying (with the countdown), failed
// (the server's message, click to try again), needs review, unconfirmed. It is disabled while
// its mutation is on its way, so a double click or a held Enter sends nothing twice. It has no
// network or database code: the owner starts the mutation (actionRequested) and binds the
// handle (setHandle).
class SyncButton : public QPushButton
{
    Q_OBJECT
    Q_PROPERTY(QString idleText READ idleText WRITE setIdleText)
    Q_PROPERTY(QString successMessage READ successMessage WRITE setSuccessMessage)
    Q_PROPERTY(QString errorMessage READ errorMessage WRITE setErrorMessage)
public:
    enum class Look {
        Idle,
        Sending,
        AwaitingEcho,
        Confirmed,
        Queued,
        Retrying,
        Failed,
        NeedsReview,
        Unconfirmed
    };
    Q_ENUM(Look)

    explicit SyncButton(const QString &idleText, QWidget *parent = nullptr);
    ~SyncButton() override;

    void setHandle(MutationHandle *handle);
    MutationHandle *handle() const { return m_handle; }
    Look look() const { return m_look; }

    QString idleText() const { return m_idleText; }
    void setIdleText(const QString &text);
    QString successMessage() const { return m_successMessage; }
    void setSuccessMessage(const QString &message) { m_successMessage = message; }
    QString errorMessage() const { return m_errorMessage; }
    void setErrorMessage(const QString &message) { m_errorMessage = message; }
    // How long ✓ stays before the button returns to rest (ms).
    void setConfirmedHoldMs(int ms) { m_confirmedHoldMs = ms; }
    // The owner's say on whether the action makes sense at rest (e.g. already confirmed).
    void setActionAvailable(bool available);

    static QString lookName(Look look);

signals:
    // The user asks for the action (at rest, or again after a failure): start a mutation.
    void actionRequested();
    // The user asks to look again (unconfirmed) or resubmit (needs review) this mutation.
    void retryRequested(const QString &key);
    // The mutation settled: for a toast. `message` is successMessage or the error.
    void settled(bool success, const QString &message);

protected:
    // At rest or after a failure the user asked for the action; subclasses may ask first.
    virtual void requestAction() { emit actionRequested(); }
    void paintEvent(QPaintEvent *event) override;
    QSize sizeHint() const override;

private:
    void onClicked();
    void refresh();
    void setLook(Look look);
    bool spinning() const { return m_look == Look::Sending || m_look == Look::AwaitingEcho; }

    QPointer<MutationHandle> m_handle;
    Look m_look = Look::Idle;
    QString m_idleText;
    QString m_successMessage;
    QString m_errorMessage;
    int m_confirmedHoldMs = 1500;
    bool m_actionAvailable = true;
    QTimer m_tick; // countdown and spinner
    QTimer m_settle; // ✓ back to rest
    int m_spinAngle = 0;
};
