// --change-retention end to end (issue 10, point 8): a server keeping 3 s of change history
// (purged every 200 ms) answers a gap fill from before what it kept with 410 history_expired
// and changes nothing, still serves one from the exact boundary or later, and syncloop's
// clients that fell that far behind reload their snapshot and say so: SyncSession (as the
// desktop app runs it) and `syncloopctl watch`.
#include "bookingstore.h"
#include "dbinspector.h"
#include "demodata.h"
#include "faultproxy.h"
#include "httpclient.h"
#include "realtimeclient.h"
#include "serverprocess.h"
#include "syncsession.h"
#include "syncstatusdialog.h"

#include <QJsonArray>
#include <QLabel>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString password = QStringLiteral("syncloop-demo");

QString changesSince(qint64 since)
{
    return QStringLiteral("/api/changes?since=%1").arg(since);
}

} // namespace

class TestRetention : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<FaultProxy> m_proxy;
    std::unique_ptr<HttpClient> m_agent1; // straight to the server
    std::unique_ptr<DbInspector> m_db;
    QStringList m_pending;

    // Confirms one of agent1's pending bookings (one change); its id.
    QString confirmNext()
    {
        QString id = m_pending.takeFirst();
        const HttpResult r = m_agent1->postJson(QStringLiteral("/api/bookings/confirm"),
            { { QStringLiteral("bookingId"), id } }, HttpClient::newKey());
        if (r.status != 200)
            qWarning() << "confirm" << id << "answered" << r.status << r.body;
        return id;
    }
    // Rows still in the change log up to `seq` (0 once the purge took them).
    qint64 retainedThrough(qint64 seq) const
    {
        return m_db->scalar(
            QStringLiteral("SELECT COUNT(*) FROM change_log WHERE seq <= ?"), { seq });
    }

private slots:
    void initTestCase()
    {
        ServerProcess::Options options;
        options.demoBookings = 100;
        options.extraArgs = { QStringLiteral("--change-retention"), QStringLiteral("3s"),
            QStringLiteral("--purge-interval"), QStringLiteral("200ms") };
        m_server = std::make_unique<ServerProcess>(options);
        QVERIFY(m_server->start());
        m_proxy = std::make_unique<FaultProxy>();
        QVERIFY(m_proxy->listen(m_server->baseUrl()));
        m_agent1 = std::make_unique<HttpClient>(m_server->baseUrl());
        QVERIFY(!m_agent1->login(DemoData::agent1).isEmpty());
        m_db = std::make_unique<DbInspector>(m_server->databasePath());
        m_pending = DemoData::bookingIds(*m_agent1, QStringLiteral("pending"));
        QVERIFY(m_pending.size() >= 10);
    }

    void init()
    {
        m_proxy->passAll();
        m_proxy->clearLog();
    }

    void cleanupTestCase()
    {
        m_db.reset();
        m_proxy.reset();
    }

    void sinceBeforeTheRetainedHistoryIsGone()
    {
        const qint64 before = m_db->changeSeq();
        confirmNext();
        confirmNext();
        const qint64 head = m_db->changeSeq();
        QCOMPARE(head, before + 2);
        // Within the retention the history is all there.
        const HttpResult kept = m_agent1->get(changesSince(before));
        QCOMPARE(kept.status, 200);
        QCOMPARE(kept.json().value(QStringLiteral("changes")).toArray().size(), 2);

        QTRY_COMPARE_WITH_TIMEOUT(
            m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM change_log")), qint64(0), 15000);
        QCOMPARE(m_db->changeSeq(), head); // the sequence goes on where it was
        const DbInspector::Snapshot state = m_db->snapshot();
        for (const qint64 since : { qint64(0), before, head - 1 }) {
            const HttpResult gone = m_agent1->get(changesSince(since));
            QCOMPARE(gone.status, 410);
            QCOMPARE(gone.header("Content-Type"), QByteArray("application/problem+json"));
            const QJsonObject problem = gone.json();
            QCOMPARE(problem.value(QStringLiteral("code")).toString(),
                QStringLiteral("history_expired"));
            QCOMPARE(problem.value(QStringLiteral("status")).toInt(), 410);
            QCOMPARE(problem.value(QStringLiteral("retryable")).toBool(true), false);
            QVERIFY2(
                problem.value(QStringLiteral("detail")).toString().contains(QString::number(since)),
                gone.body);
        }
        QCOMPARE(m_db->snapshot(), state); // nothing changed

        // Up to date, even with the log emptied: 200 and nothing new.
        const HttpResult current = m_agent1->get(changesSince(head));
        QCOMPARE(current.status, 200);
        QCOMPARE(current.json().value(QStringLiteral("changes")).toArray().size(), 0);
        QCOMPARE(current.json().value(QStringLiteral("seq")).toInteger(), head);
        QCOMPARE(m_agent1->get(changesSince(head + 10)).status, 200);

        // The exact boundary, with a change kept after it: served.
        const QString id = confirmNext();
        const HttpResult next = m_agent1->get(changesSince(head));
        QCOMPARE(next.status, 200);
        const QJsonArray changes = next.json().value(QStringLiteral("changes")).toArray();
        QCOMPARE(changes.size(), 1);
        QCOMPARE(changes.first().toObject().value(QStringLiteral("seq")).toInteger(), head + 1);
        QCOMPARE(changes.first()
                     .toObject()
                     .value(QStringLiteral("record"))
                     .toObject()
                     .value(QStringLiteral("id"))
                     .toString(),
            id);
        QCOMPARE(m_agent1->get(changesSince(head - 1)).status, 410);
    }

    // A desktop client offline for longer than the retention: its realtime gap fill gets 410,
    // so it reloads the snapshot (the store then holds the current rows), goes live from the
    // snapshot's seq, and keeps up after.
    void aSessionTooFarBehindReloadsItsSnapshot()
    {
        QTemporaryDir dir;
        SyncSession::Options options;
        options.server = m_proxy->url();
        options.queuePath = dir.filePath(QStringLiteral("queue.sqlite"));
        options.credentials = CredentialStore::Backend::MemoryOnly;
        options.realtime.reconnect = { .baseMs = 100, .capMs = 500 };
        options.requestTimeoutMs = 10000;
        SyncSession session(options);
        QString error;
        QVERIFY2(session.open(&error), qPrintable(error));
        QSignalSpy signedIn(&session, &SyncSession::signedIn);
        session.signIn(DemoData::agent1, password, SyncSession::Persistence::ThisRunOnly);
        QVERIFY(signedIn.wait(15000));
        QSignalSpy loaded(&session, &SyncSession::snapshotLoaded);
        session.loadSnapshot();
        QVERIFY(loaded.wait(15000));
        QTRY_VERIFY_WITH_TIMEOUT(session.realtime()->isLive(), 10000);
        const qint64 seenSeq = session.realtime()->lastSeq();
        QSignalSpy reloaded(&session, &SyncSession::historyReloaded);
        SyncStatusDialog dialog(&session);
        auto *note = dialog.findChild<QLabel *>(QStringLiteral("historyNote"));
        QVERIFY(note);
        QVERIFY(note->isHidden()); // nothing to say yet

        // Offline: the network drops and stays down.
        m_proxy->setRefuseConnections(true);
        m_proxy->closeAll();
        QTRY_VERIFY_WITH_TIMEOUT(!session.realtime()->isLive(), 10000);
        const QString missed = confirmNext();
        const qint64 missedSeq = m_db->changeSeq();
        QVERIFY(missedSeq > seenSeq);
        QCOMPARE(session.bookings()->row(missed).value(QStringLiteral("status")).toString(),
            QStringLiteral("pending"));
        QTRY_COMPARE_WITH_TIMEOUT(retainedThrough(missedSeq), qint64(0), 15000);

        // Back online: the gap cannot be filled; the snapshot is reloaded instead.
        loaded.clear();
        m_proxy->setRefuseConnections(false);
        QTRY_COMPARE_WITH_TIMEOUT(
            session.bookings()->row(missed).value(QStringLiteral("status")).toString(),
            QStringLiteral("confirmed"), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(session.realtime()->isLive(), 10000);
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(reloaded.count(), 1);
        const QDateTime at = session.historyReloadedAt();
        QVERIFY(at.isValid());
        QCOMPARE(reloaded.first().first().toDateTime(), at);
        // The dialog says so, and so does one opened later.
        const QString said
            = QStringLiteral("History expired: the data was reloaded from the server at %1")
                  .arg(QLocale().toString(at.time(), QLocale::ShortFormat));
        QVERIFY(!note->isHidden());
        QCOMPARE(note->text(), said);
        SyncStatusDialog later(&session);
        QCOMPARE(later.findChild<QLabel *>(QStringLiteral("historyNote"))->text(), said);
        QVERIFY(!later.findChild<QLabel *>(QStringLiteral("historyNote"))->isHidden());
        int expired = 0;
        for (const FaultProxy::Exchange &e : m_proxy->exchanges(QStringLiteral("/api/changes")))
            expired += e.status == 410 ? 1 : 0;
        QCOMPARE(expired, 1); // once: from the snapshot's seq the history is there
        QVERIFY(session.realtime()->lastSeq() >= missedSeq);

        // Live again: the next change arrives as usual.
        const QString after = confirmNext();
        QTRY_COMPARE_WITH_TIMEOUT(
            session.bookings()->row(after).value(QStringLiteral("status")).toString(),
            QStringLiteral("confirmed"), 10000);
        QCOMPARE(loaded.count(), 1);
        QCOMPARE(reloaded.count(), 1);
    }

    // `syncloopctl watch` that fell behind the retention: a note on stderr, then it goes on.
    void watchSaysWhenItReloaded()
    {
        QTemporaryDir home;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), home.filePath(QStringLiteral(".config")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral(".local/share")));
        QProcess watch;
        watch.setProcessEnvironment(env);
        watch.setProcessChannelMode(QProcess::SeparateChannels);
        QByteArray out;
        QByteArray err;
        connect(&watch, &QProcess::readyReadStandardOutput, this,
            [&] { out += watch.readAllStandardOutput(); });
        connect(&watch, &QProcess::readyReadStandardError, this,
            [&] { err += watch.readAllStandardError(); });
        watch.start(QStringLiteral(SYNCLOOPCTL_PATH),
            { QStringLiteral("--server"), m_proxy->url().toString(), QStringLiteral("--email"),
                DemoData::agent1, QStringLiteral("--password-stdin"),
                QStringLiteral("--no-keychain"), QStringLiteral("watch") });
        QVERIFY(watch.waitForStarted());
        watch.write(password.toUtf8() + '\n');
        watch.closeWriteChannel();
        QTRY_VERIFY2_WITH_TIMEOUT(err.contains("realtime Live"), err.constData(), 15000);

        m_proxy->setRefuseConnections(true);
        m_proxy->closeAll();
        QTRY_VERIFY2_WITH_TIMEOUT(err.contains("realtime Disconnected"), err.constData(), 10000);
        confirmNext();
        const qint64 missedSeq = m_db->changeSeq();
        QTRY_COMPARE_WITH_TIMEOUT(retainedThrough(missedSeq), qint64(0), 15000);
        const qsizetype printed = out.size();
        m_proxy->setRefuseConnections(false);
        QTRY_VERIFY2_WITH_TIMEOUT(
            err.contains("change history no longer reaches back"), err.constData(), 15000);
        QCOMPARE(out.size(), printed); // the missed change is not made up as a line
        QTRY_VERIFY_WITH_TIMEOUT(err.endsWith("realtime Live\n"), 10000);

        const QString after = confirmNext();
        QTRY_VERIFY2_WITH_TIMEOUT(
            out.mid(printed).contains(after.toUtf8()), err.constData(), 10000);
        watch.terminate();
        QVERIFY(watch.waitForFinished(5000));
    }
};

QTEST_MAIN(TestRetention) // the sync-status dialog needs widgets (offscreen)
#include "tst_retention.moc"
