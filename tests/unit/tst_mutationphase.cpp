// A mutation's phase, read in one place: from its state and last error, table-driven.
#include "mutation.h"

#include <QTest>

class TestMutationPhase : public QObject
{
    Q_OBJECT
private slots:
    void phase_data()
    {
        QTest::addColumn<Mutation::State>("state");
        QTest::addColumn<ApiError::Kind>("lastError");
        QTest::addColumn<Mutation::Phase>("phase");
        QTest::addColumn<bool>("busy");
        QTest::addColumn<bool>("queuedOffline");
        using S = Mutation::State;
        using K = ApiError::Kind;
        using P = Mutation::Phase;
        QTest::newRow("queued") << S::Queued << K::None << P::Sending << true << false;
        QTest::newRow("sending") << S::Sending << K::None << P::Sending << true << false;
        QTest::newRow("sending again after a busy server")
            << S::Sending << K::Transient << P::Sending << true << false;
        QTest::newRow("offline probe") << S::Sending << K::Offline << P::Probing << true << true;
        QTest::newRow("queued after offline")
            << S::Queued << K::Offline << P::Probing << true << true;
        QTest::newRow("awaiting echo")
            << S::AwaitingEcho << K::None << P::AwaitingEcho << true << false;
        QTest::newRow("confirmed") << S::Confirmed << K::None << P::Done << false << false;
        QTest::newRow("waiting offline")
            << S::Waiting << K::Offline << P::OfflineQueued << false << true;
        QTest::newRow("waiting for sign-in")
            << S::Waiting << K::Unauthorized << P::AwaitingSignIn << false << true;
        QTest::newRow("backing off")
            << S::Waiting << K::RateLimited << P::Retrying << false << false;
        QTest::newRow("backing off, timeout")
            << S::Waiting << K::Timeout << P::Retrying << false << false;
        QTest::newRow("failed") << S::Failed << K::Rejected << P::Failed << false << false;
        QTest::newRow("needs review")
            << S::NeedsReview << K::None << P::NeedsReview << false << false;
        QTest::newRow("unconfirmed")
            << S::Unconfirmed << K::Transient << P::Unconfirmed << false << false;
    }

    void phase()
    {
        QFETCH(Mutation::State, state);
        QFETCH(ApiError::Kind, lastError);
        QFETCH(Mutation::Phase, phase);
        QFETCH(bool, busy);
        QFETCH(bool, queuedOffline);
        Mutation m;
        m.state = state;
        m.lastError.kind = lastError;
        QCOMPARE(m.phase(), phase);
        QCOMPARE(m.isBusy(), busy);
        QCOMPARE(m.isQueuedOffline(), queuedOffline);
    }
};

QTEST_APPLESS_MAIN(TestMutationPhase)
#include "tst_mutationphase.moc"
