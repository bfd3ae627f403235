// The Leads tab against a real syncloopd and a real SMS provider stand-in: an SMS that waited
// offline past the server's idempotency window needs review; resubmitting it binds the card's
// button to the new mutation, so the button never falls back to rest while the new SMS is on
// its way, and a second click cannot send a second one.
#include "cardlistview.h"
#include "demodata.h"
#include "faultproxy.h"
#include "leadcard.h"
#include "leadstore.h"
#include "leadsview.h"
#include "mutationengine.h"
#include "mutationhandle.h"
#include "serverprocess.h"
#include "smscomposedialog.h"
#include "smsproviderstandin.h"
#include "syncbutton.h"
#include "syncsession.h"

#include <QApplication>
#include <QPlainTextEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

class TestLeadsView : public QObject
{
    Q_OBJECT

    std::unique_ptr<SmsProviderStandIn> m_provider;
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<FaultProxy> m_proxy;
    QTemporaryDir m_dir;

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        m_provider = std::make_unique<SmsProviderStandIn>();
        QVERIFY(m_provider->start());
        ServerProcess::Options options;
        // A short window, so waiting offline past it takes seconds, not a day.
        options.extraArgs = { QStringLiteral("--idempotency-window"), QStringLiteral("2s"),
            QStringLiteral("--sms-gateway"), m_provider->url().toString() };
        m_server = std::make_unique<ServerProcess>(options);
        QVERIFY(m_server->start());
        m_proxy = std::make_unique<FaultProxy>();
        QVERIFY(m_proxy->listen(m_server->baseUrl()));
    }

    void resubmittingANeedsReviewSmsBindsTheNewMutation()
    {
        SyncSession::Options options;
        options.server = m_proxy->url();
        options.queuePath = m_dir.filePath(QStringLiteral("queue.sqlite"));
        options.credentials = CredentialStore::Backend::MemoryOnly;
        options.realtime.reconnect = { 100, 500 };
        options.engine.backoff = { 100, 400 };
        options.requestTimeoutMs = 2000;
        SyncSession session(options);
        QString error;
        QVERIFY2(session.open(&error), qPrintable(error));
        QSignalSpy in(&session, &SyncSession::signedIn);
        session.signIn(DemoData::agent1, QStringLiteral("syncloop-demo"),
            SyncSession::Persistence::ThisRunOnly);
        QVERIFY(in.wait(10000));
        session.loadSnapshot();

        LeadsView view(&session);
        view.resize(900, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        auto *list = view.findChild<CardListView *>();
        QVERIFY(list);
        QTRY_VERIFY_WITH_TIMEOUT(!list->visibleCards().isEmpty(), 10000);
        auto *card = static_cast<LeadCard *>(list->visibleCards().first());
        const QString leadId = card->leadId();
        SyncButton *sms = card->smsButton();

        // The client learns the server's 2 s window from a first answer.
        QVERIFY(session.setLeadStatus(leadId, QStringLiteral("contacted")));
        QTRY_COMPARE_WITH_TIMEOUT(session.engine()->idempotencyWindowSeconds(), 2, 10000);

        // Offline: the SMS waits ... past the window, and needs review.
        m_proxy->setRefuseConnections(true);
        m_proxy->closeAll();
        auto sendFromTheCard = [&] {
            sms->click();
            SmsComposeDialog *dialog = nullptr;
            QTRY_VERIFY(
                (dialog = view.window()->findChild<SmsComposeDialog *>()) && dialog->isVisible());
            dialog->findChild<QPlainTextEdit *>()->setPlainText(QStringLiteral("See you at 10"));
            dialog->accept();
        };
        sendFromTheCard();
        QTRY_COMPARE_WITH_TIMEOUT(sms->look(), SyncButton::Look::Queued, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(sms->look(), SyncButton::Look::NeedsReview, 10000);
        const QString oldKey = sms->handle()->key();

        // Back online; the user checks it and resubmits.
        m_proxy->setRefuseConnections(false);
        QSignalSpy added(session.engine(), &MutationEngine::handleAdded);
        sms->click();
        QCOMPARE(added.size(), 1); // a new intent, with a new key
        QVERIFY(sms->handle());
        QVERIFY(sms->handle()->key() != oldKey);
        QVERIFY2(
            sms->look() != SyncButton::Look::Idle, qPrintable(SyncButton::lookName(sms->look())));
        QVERIFY(!sms->isEnabled());
        sms->click(); // a second click while it is on its way does nothing
        QCOMPARE(added.size(), 1);
        QVERIFY(!view.window()->findChild<SmsComposeDialog *>()
            || !view.window()->findChild<SmsComposeDialog *>()->isVisible());

        QTRY_COMPARE_WITH_TIMEOUT(sms->look(), SyncButton::Look::Confirmed, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(m_provider->calls(), 1, 10000);
        QCOMPARE(m_provider->keysSeen().size(), 1);
        QVERIFY(
            !m_provider->keysSeen().first().endsWith(oldKey)); // the old key never reached anyone
    }

    // Each status button shows the change to its own status (the engine's latest of "status"
    // whose body sets that status), not its siblings'.
    void aStatusButtonShowsItsOwnStatusChangeOnly()
    {
        SyncSession::Options options;
        options.server = m_proxy->url();
        options.queuePath = m_dir.filePath(QStringLiteral("status-queue.sqlite"));
        options.credentials = CredentialStore::Backend::MemoryOnly;
        options.requestTimeoutMs = 2000;
        SyncSession session(options);
        QString error;
        QVERIFY2(session.open(&error), qPrintable(error));
        QSignalSpy in(&session, &SyncSession::signedIn);
        session.signIn(DemoData::agent1, QStringLiteral("syncloop-demo"),
            SyncSession::Persistence::ThisRunOnly);
        QVERIFY(in.wait(10000));
        session.loadSnapshot();

        LeadsView view(&session);
        view.resize(900, 600);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        auto *list = view.findChild<CardListView *>();
        QVERIFY(list);
        QTRY_VERIFY_WITH_TIMEOUT(!list->visibleCards().isEmpty(), 10000);
        auto *card = static_cast<LeadCard *>(list->visibleCards().last());
        const QString leadId = card->leadId();
        const QString current
            = session.leads()->row(leadId).value(QStringLiteral("status")).toString();
        const QString target = current == QLatin1String("qualified") ? QStringLiteral("won")
                                                                     : QStringLiteral("qualified");
        const QString sibling
            = target == QLatin1String("won") ? QStringLiteral("lost") : QStringLiteral("won");
        SyncButton *mine = card->statusButton(target);
        SyncButton *other = card->statusButton(sibling);
        QVERIFY(mine && other);

        mine->click();
        QVERIFY(mine->handle());
        QCOMPARE(mine->handle(),
            session.engine()->latest(QStringLiteral("leads"), leadId, QStringLiteral("status"),
                { { QStringLiteral("status"), target } }));
        QVERIFY2(
            mine->look() != SyncButton::Look::Idle, qPrintable(SyncButton::lookName(mine->look())));
        QVERIFY(!mine->isEnabled());
        QCOMPARE(other->handle(), nullptr);
        QCOMPARE(other->look(), SyncButton::Look::Idle);
        QTRY_COMPARE_WITH_TIMEOUT(mine->look(), SyncButton::Look::Confirmed, 10000);
        QCOMPARE(session.leads()->row(leadId).value(QStringLiteral("status")).toString(), target);
        QCOMPARE(other->look(), SyncButton::Look::Idle);
    }
};

QTEST_MAIN(TestLeadsView)
#include "tst_leadsview.moc"
