// The SMS outbox against a real syncloopd and a real local provider stand-in: delivery with the
// request's key, retries, the circuit breaker, rejection, timeouts, give-up, and exactly-once
// delivery across a crash. Effects are asserted at the provider (calls, deliveries per key), in
// the database and in the change feed, not just through status codes.
#include "dbinspector.h"
#include "demodata.h"
#include "httpclient.h"
#include "metricstext.h"
#include "serverprocess.h"
#include "smsproviderstandin.h"

#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <memory>

namespace {

constexpr int deliveryTimeoutMs = 10000;

QStringList repeated(const QString &value, qsizetype n)
{
    return QStringList(n, value);
}

} // namespace

class TestSmsOutbox : public QObject
{
    Q_OBJECT
private:
    SmsProviderStandIn *m_provider = nullptr;
    std::unique_ptr<ServerProcess> m_server;
    std::unique_ptr<DbInspector> m_db;
    std::unique_ptr<SmsProviderStandIn> m_standIn;
    std::unique_ptr<HttpClient> m_agent;
    std::unique_ptr<HttpClient> m_admin;
    QJsonObject m_lead;

    // syncloopd delivering to the stand-in, with short timings so a test takes seconds.
    bool startServer(const QStringList &extraArgs = {})
    {
        ServerProcess::Options options;
        options.demoBookings = 4;
        options.extraArgs = QStringList { QStringLiteral("--sms-gateway"),
            m_provider->url().toString(), QStringLiteral("--sms-timeout"), QStringLiteral("1s"),
            QStringLiteral("--sms-retry-base"), QStringLiteral("100ms"),
            QStringLiteral("--sms-breaker-open"), QStringLiteral("2s") }
            + extraArgs; // later values of a repeated option win
        m_server = std::make_unique<ServerProcess>(options);
        if (!m_server->start())
            return false;
        m_db = std::make_unique<DbInspector>(m_server->databasePath());
        m_agent = std::make_unique<HttpClient>(m_server->baseUrl());
        m_admin = std::make_unique<HttpClient>(m_server->baseUrl());
        if (m_agent->login(DemoData::agent1).isEmpty() || m_admin->login(DemoData::admin).isEmpty())
            return false;
        const QList<QJsonObject> leads = DemoData::leads(*m_agent);
        if (leads.isEmpty())
            return false;
        m_lead = leads.first();
        return true;
    }

    QString leadId() const { return m_lead.value(QStringLiteral("id")).toString(); }

    // What syncloopd forwards as the provider's Idempotency-Key: the request's key, scoped to
    // its user (provider keys are global, ours are per user).
    QString providerKey(const QString &key) const
    {
        return m_agent->lastLogin()
                   .value(QStringLiteral("user"))
                   .toObject()
                   .value(QStringLiteral("id"))
                   .toString()
            + QLatin1Char(':') + key;
    }
    QStringList providerKeys(const QStringList &keys) const
    {
        QStringList out;
        for (const QString &k : keys)
            out.append(providerKey(k));
        return out;
    }

    // POST /api/leads/send-sms; the new message's id, or empty (with a warning) unless 202 queued.
    QString sendSms(const QString &key, const QString &text)
    {
        const HttpResult r = m_agent->postJson(QStringLiteral("/api/leads/send-sms"),
            { { QStringLiteral("leadId"), leadId() }, { QStringLiteral("message"), text } }, key);
        const QJsonObject sms = r.json().value(QStringLiteral("sms")).toObject();
        if (r.status != 202
            || sms.value(QStringLiteral("status")).toString() != QLatin1String("queued")) {
            qWarning() << "send-sms answered" << r.status << r.body;
            return {};
        }
        return sms.value(QStringLiteral("id")).toString();
    }

    // Sends `n` messages with fresh keys; fills `keys` and `ids` in the same order.
    bool sendMany(int n, QStringList *keys, QStringList *ids)
    {
        for (int i = 0; i < n; ++i) {
            const QString key = HttpClient::newKey();
            const QString id = sendSms(key, QStringLiteral("Message %1").arg(i + 1));
            if (id.isEmpty())
                return false;
            keys->append(key);
            ids->append(id);
        }
        return true;
    }

    QString dbStatus(const QString &id) const
    {
        return m_db->text(QStringLiteral("SELECT status FROM sms_messages WHERE id = ?"), { id });
    }
    QStringList dbStatuses(const QStringList &ids) const
    {
        QStringList out;
        for (const QString &id : ids)
            out.append(dbStatus(id));
        return out;
    }
    qint64 dbInteger(const QString &column, const QString &id) const
    {
        return m_db->scalar(
            QStringLiteral("SELECT %1 FROM sms_messages WHERE id = ?").arg(column), { id });
    }
    QString dbText(const QString &column, const QString &id) const
    {
        return m_db->text(
            QStringLiteral("SELECT %1 FROM sms_messages WHERE id = ?").arg(column), { id });
    }

    // The message as the API shows it in GET /api/leads/{id}.
    QJsonObject apiSms(const QString &id)
    {
        const HttpResult r = m_agent->get(QStringLiteral("/api/leads/") + leadId());
        for (const QJsonValue &v : r.json().value(QStringLiteral("sms")).toArray()) {
            if (v.toObject().value(QStringLiteral("id")).toString() == id)
                return v.toObject();
        }
        return {};
    }

    qint64 changeSeq()
    {
        return m_agent->get(QStringLiteral("/api/leads"))
            .json()
            .value(QStringLiteral("seq"))
            .toInteger();
    }

    // The change feed's entries for one sms row after `since`, oldest first.
    QList<QJsonObject> smsChanges(qint64 since, const QString &id)
    {
        QList<QJsonObject> out;
        for (;;) {
            const QJsonObject page
                = m_agent->get(QStringLiteral("/api/changes?since=%1").arg(since)).json();
            const QJsonArray changes = page.value(QStringLiteral("changes")).toArray();
            if (changes.isEmpty())
                return out;
            for (const QJsonValue &v : changes) {
                const QJsonObject c = v.toObject();
                const QJsonObject row
                    = c.value(QStringLiteral("type")).toString() == QLatin1String("DELETE")
                    ? c.value(QStringLiteral("old_record")).toObject()
                    : c.value(QStringLiteral("record")).toObject();
                if (c.value(QStringLiteral("table")).toString() == QLatin1String("sms_messages")
                    && row.value(QStringLiteral("id")).toString() == id)
                    out.append(c);
            }
            since = page.value(QStringLiteral("seq")).toInteger();
        }
    }

    // The row's history in the change feed as "status/attempts/ok|error", oldest first.
    QStringList statusTrail(qint64 since, const QString &id)
    {
        QStringList trail;
        for (const QJsonObject &c : smsChanges(since, id)) {
            const QJsonObject r = c.value(QStringLiteral("record")).toObject();
            trail.append(
                QStringLiteral("%1/%2/%3")
                    .arg(r.value(QStringLiteral("status")).toString())
                    .arg(r.value(QStringLiteral("attempts")).toInt())
                    .arg(r.value(QStringLiteral("last_error")).isNull() ? QStringLiteral("ok")
                                                                        : QStringLiteral("error")));
        }
        return trail;
    }

    QJsonObject breaker()
    {
        const HttpResult r = m_admin->get(QStringLiteral("/api/admin/sync-health"));
        return r.json().value(QStringLiteral("breakers")).toArray().first().toObject();
    }
    QString breakerState() { return breaker().value(QStringLiteral("state")).toString(); }

    QJsonObject outboxHealth()
    {
        return m_admin->get(QStringLiteral("/api/admin/sync-health"))
            .json()
            .value(QStringLiteral("outbox"))
            .toObject();
    }

    // One sample of /metrics, e.g. metric("syncloop_breaker_state",
    // "breaker=\"sms\",state=\"open\"").
    double metric(const QString &name, const QString &labels = {})
    {
        const QString sample
            = labels.isEmpty() ? name : name + QLatin1Char('{') + labels + QLatin1Char('}');
        return MetricsText::fetch(*m_admin).value(sample.toUtf8());
    }
    double breakerStateMetric(const char *state)
    {
        return metric(QStringLiteral("syncloop_breaker_state"),
            QStringLiteral("breaker=\"sms\",state=\"%1\"").arg(QLatin1String(state)));
    }

    // The provider's deliveries, by our sms id ("reference").
    QStringList deliveredReferences() const
    {
        QStringList out;
        for (const QJsonObject &d : m_provider->delivered())
            out.append(d.value(QStringLiteral("reference")).toString());
        return out;
    }

    // The row says no send call of unknown outcome is out.
    bool sendCallCleared(const QString &id) const
    {
        return m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM sms_messages WHERE id = ? AND "
                                           "send_started_at_ms IS NULL"),
                   { id })
            == 1;
    }

    // What a crash between the provider's answer and our commit leaves: `sending`, the call
    // marked as gone out, its lease already over (editing the time instead of waiting for it).
    void rewindToUnrecordedCall(const QString &id)
    {
        QVERIFY(m_db->exec(
            QStringLiteral("UPDATE sms_messages SET status = 'sending', provider_message_id = NULL,"
                           " next_attempt_at_ms = 0, send_started_at_ms = 1 WHERE id = ?"),
            { id }));
    }

    static QSet<QString> asSet(const QStringList &list)
    {
        return QSet<QString>(list.cbegin(), list.cend());
    }

private slots:
    void init()
    {
        m_standIn = std::make_unique<SmsProviderStandIn>();
        m_provider = m_standIn.get();
        QVERIFY(m_provider->start());
    }

    void cleanup()
    {
        m_agent.reset();
        m_admin.reset();
        m_db.reset();
        m_server.reset(); // SIGKILL, then the temporary data directory goes
        m_provider = nullptr;
        m_standIn.reset();
    }

    // (a)
    void deliversOnceWithTheRequestsKey()
    {
        QVERIFY(startServer());
        const qint64 since = changeSeq();
        const QString key = HttpClient::newKey();
        const QString text = QStringLiteral("See you at 10");
        const QString id = sendSms(key, text);
        QVERIFY(!id.isEmpty());

        QTRY_COMPARE_WITH_TIMEOUT(dbStatus(id), QStringLiteral("sent"), deliveryTimeoutMs);

        // Exactly one call, carrying the request's key and the documented body.
        QCOMPARE(m_provider->calls(), 1);
        QCOMPARE(m_provider->keysSeen(), QStringList { providerKey(key) });
        QCOMPARE(m_provider->callsFor(providerKey(key)), 1);
        QCOMPARE(m_provider->delivered().size(), 1);
        const QJsonObject expectedBody { { QStringLiteral("to"),
                                             m_lead.value(QStringLiteral("phone")).toString() },
            { QStringLiteral("body"), text }, { QStringLiteral("reference"), id } };
        QVERIFY(!expectedBody.value(QStringLiteral("to")).toString().isEmpty());
        QCOMPARE(m_provider->delivered().first(), expectedBody);

        // The row: queued (v1) -> sending (v2) -> sent (v3), with the provider's id.
        const QJsonObject sms = apiSms(id);
        QCOMPARE(sms.value(QStringLiteral("status")).toString(), QStringLiteral("sent"));
        QCOMPARE(sms.value(QStringLiteral("version")).toInteger(), 3);
        QCOMPARE(sms.value(QStringLiteral("attempts")).toInt(), 1);
        QCOMPARE(
            sms.value(QStringLiteral("provider_message_id")).toString(), QStringLiteral("sm-1"));
        QVERIFY(sms.value(QStringLiteral("last_error")).isNull());
        QCOMPARE(sms.value(QStringLiteral("body")).toString(), text);
        QCOMPARE(dbText(QStringLiteral("provider_key"), id), providerKey(key));
        QCOMPARE(dbInteger(QStringLiteral("version"), id), 3);

        // The change feed: the INSERT and one UPDATE per status change, each old_record the
        // previous record.
        const QList<QJsonObject> changes = smsChanges(since, id);
        QCOMPARE(changes.size(), 3);
        const QStringList types { QStringLiteral("INSERT"), QStringLiteral("UPDATE"),
            QStringLiteral("UPDATE") };
        const QStringList statuses { QStringLiteral("queued"), QStringLiteral("sending"),
            QStringLiteral("sent") };
        for (int i = 0; i < 3; ++i) {
            const QJsonObject record = changes[i].value(QStringLiteral("record")).toObject();
            QCOMPARE(changes[i].value(QStringLiteral("type")).toString(), types[i]);
            QCOMPARE(record.value(QStringLiteral("status")).toString(), statuses[i]);
            QCOMPARE(record.value(QStringLiteral("version")).toInteger(), i + 1);
            if (i > 0) {
                QCOMPARE(changes[i].value(QStringLiteral("old_record")).toObject(),
                    changes[i - 1].value(QStringLiteral("record")).toObject());
                QVERIFY(changes[i].value(QStringLiteral("seq")).toInteger()
                    > changes[i - 1].value(QStringLiteral("seq")).toInteger());
            }
        }
        QCOMPARE(changes.last().value(QStringLiteral("record")).toObject(), sms);

        // Retrying the request replays the 202; no second row, no second call.
        const qint64 rows = m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM sms_messages"));
        const HttpResult replay = m_agent->postJson(QStringLiteral("/api/leads/send-sms"),
            { { QStringLiteral("leadId"), leadId() }, { QStringLiteral("message"), text } }, key);
        QCOMPARE(replay.status, 202);
        QCOMPARE(replay.header("Idempotent-Replayed"), QByteArray("true"));
        QCOMPARE(replay.json()
                     .value(QStringLiteral("sms"))
                     .toObject()
                     .value(QStringLiteral("id"))
                     .toString(),
            id);
        QCOMPARE(m_db->scalar(QStringLiteral("SELECT COUNT(*) FROM sms_messages")), rows);
        QCOMPARE(m_provider->calls(), 1);
        QCOMPARE(outboxHealth().value(QStringLiteral("sent")).toInteger(), 1);
        QCOMPARE(outboxHealth().value(QStringLiteral("depth")).toInteger(), 0);
    }

    // (b)
    void breakerOpensStopsCallsAndRecovers()
    {
        QVERIFY(startServer({ QStringLiteral("--sms-max-attempts"), QStringLiteral("50") }));
        m_provider->setMode(SmsProviderStandIn::Mode::Fail);
        QStringList keys, ids;
        QVERIFY(sendMany(3, &keys, &ids));

        // Five failed calls in a row trip it (>= 5 calls, >= 50 %).
        QTRY_COMPARE_WITH_TIMEOUT(breakerState(), QStringLiteral("open"), deliveryTimeoutMs);
        const int callsWhenOpened = m_provider->calls();
        QVERIFY2(callsWhenOpened >= 5, qPrintable(QString::number(callsWhenOpened)));
        QCOMPARE(breakerStateMetric("open"), 1.0);
        QCOMPARE(breakerStateMetric("closed"), 0.0);
        QJsonObject b = breaker();
        QCOMPARE(b.value(QStringLiteral("times_opened")).toInteger(), 1);
        QVERIFY(b.value(QStringLiteral("failure_rate")).toDouble() >= 50.0);
        QVERIFY(b.value(QStringLiteral("buffered_calls")).toInteger() >= 5);
        // Retries carry the same keys: nothing but our three keys ever reached the provider,
        // and at least one of them more than once.
        QCOMPARE(asSet(m_provider->keysSeen()), asSet(providerKeys(keys)));
        int retried = 0;
        for (const QString &key : keys)
            retried += m_provider->callsFor(providerKey(key)) > 1 ? 1 : 0;
        QVERIFY(retried > 0);
        QCOMPARE(dbStatuses(ids), repeated(QStringLiteral("sending"), 3));

        // While open the provider is not called, even for a fresh message; the refusals count.
        const qint64 refusedBefore = b.value(QStringLiteral("not_permitted_calls")).toInteger();
        QSignalSpy called(m_provider, &SmsProviderStandIn::called);
        keys.append(HttpClient::newKey());
        ids.append(sendSms(keys.last(), QStringLiteral("Sent while the breaker is open")));
        QVERIFY(!ids.last().isEmpty());
        QVERIFY2(!called.wait(1000),
            "the provider was called while the breaker was open"); // open for 2 s
        QCOMPARE(m_provider->calls(), callsWhenOpened);
        b = breaker();
        QCOMPARE(b.value(QStringLiteral("state")).toString(), QStringLiteral("open"));
        QVERIFY(b.value(QStringLiteral("not_permitted_calls")).toInteger() > refusedBefore);
        QCOMPARE(metric(QStringLiteral("syncloop_breaker_not_permitted_calls_total"),
                     QStringLiteral("breaker=\"sms\"")),
            double(b.value(QStringLiteral("not_permitted_calls")).toInteger()));
        QCOMPARE(dbStatus(ids.last()), QStringLiteral("queued"));
        QCOMPARE(dbInteger(QStringLiteral("attempts"), ids.last()), 0);

        // The provider recovers: after the open wait the trial calls succeed and it closes.
        m_provider->setMode(SmsProviderStandIn::Mode::Accept);
        QTRY_COMPARE_WITH_TIMEOUT(
            dbStatuses(ids), repeated(QStringLiteral("sent"), 4), deliveryTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(breakerState(), QStringLiteral("closed"), deliveryTimeoutMs);
        b = breaker();
        QCOMPARE(b.value(QStringLiteral("times_opened")).toInteger(), 1);
        QCOMPARE(breakerStateMetric("closed"), 1.0);
        QCOMPARE(breakerStateMetric("open"), 0.0);

        // Every message delivered exactly once, none missing, each under its own key.
        QCOMPARE(m_provider->delivered().size(), 4);
        QCOMPARE(asSet(deliveredReferences()), asSet(ids));
        QCOMPARE(asSet(m_provider->keysSeen()), asSet(providerKeys(keys)));
        QCOMPARE(m_provider->callsFor(providerKey(keys.last())), 1); // never tried while open
        for (int i = 0; i < ids.size(); ++i) {
            QCOMPARE(dbText(QStringLiteral("provider_key"), ids[i]), providerKey(keys[i]));
            QCOMPARE(dbInteger(QStringLiteral("attempts"), ids[i]),
                m_provider->callsFor(providerKey(keys[i])));
            QVERIFY(!dbText(QStringLiteral("provider_message_id"), ids[i]).isEmpty());
        }
        QCOMPARE(outboxHealth().value(QStringLiteral("depth")).toInteger(), 0);
    }

    // (c)
    void rejectedMessageFailsWithoutRetryOrBreaker()
    {
        QVERIFY(startServer());
        m_provider->setMode(SmsProviderStandIn::Mode::Reject);
        QStringList keys, ids;
        QVERIFY(sendMany(6, &keys, &ids)); // more than the breaker's minimum of 5 calls

        QTRY_COMPARE_WITH_TIMEOUT(
            dbStatuses(ids), repeated(QStringLiteral("failed"), 6), deliveryTimeoutMs);
        QSignalSpy called(m_provider, &SmsProviderStandIn::called);
        QVERIFY2(!called.wait(800),
            "a rejected message was sent again"); // retries would come in ~100 ms
        QCOMPARE(m_provider->calls(), 6);
        QVERIFY(m_provider->delivered().isEmpty());
        for (int i = 0; i < ids.size(); ++i) {
            QCOMPARE(m_provider->callsFor(providerKey(keys[i])), 1);
            const QJsonObject sms = apiSms(ids[i]);
            QCOMPARE(sms.value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
            QCOMPARE(sms.value(QStringLiteral("attempts")).toInt(), 1);
            QCOMPARE(
                sms.value(QStringLiteral("version")).toInteger(), 3); // queued, sending, failed
            const QString error = sms.value(QStringLiteral("last_error")).toString();
            QVERIFY2(error.contains(QLatin1String("HTTP 400"))
                    && error.contains(QLatin1String("rejected")),
                qPrintable(error));
            QVERIFY(sms.value(QStringLiteral("provider_message_id")).isNull());
        }

        // A bad message says nothing about the provider's health.
        const QJsonObject b = breaker();
        QCOMPARE(b.value(QStringLiteral("state")).toString(), QStringLiteral("closed"));
        QCOMPARE(b.value(QStringLiteral("times_opened")).toInteger(), 0);
        QCOMPARE(b.value(QStringLiteral("failed_calls")).toInteger(), 0);
        QCOMPARE(b.value(QStringLiteral("not_permitted_calls")).toInteger(), 0);
        const QJsonObject outbox = outboxHealth();
        QCOMPARE(outbox.value(QStringLiteral("failed")).toInteger(), 6);
        QCOMPARE(outbox.value(QStringLiteral("retries")).toInteger(), 0);
        QCOMPARE(outbox.value(QStringLiteral("depth")).toInteger(), 0);
    }

    // (d)
    void hangingCallTimesOutAndIsRetried()
    {
        QVERIFY(startServer()); // --sms-timeout 1s
        m_provider->setMode(SmsProviderStandIn::Mode::Hang);
        QSignalSpy called(m_provider, &SmsProviderStandIn::called);
        const qint64 since = changeSeq();
        const QString key = HttpClient::newKey();
        const QString id = sendSms(key, QStringLiteral("Are you there?"));
        QVERIFY(!id.isEmpty());

        QVERIFY(called.wait(5000));
        QElapsedTimer sinceFirstCall;
        sinceFirstCall.start();
        QCOMPARE(dbStatus(id), QStringLiteral("sending"));
        // The first call still hangs (the stand-in decided when it arrived); the next one is
        // answered.
        m_provider->setMode(SmsProviderStandIn::Mode::Accept);
        QVERIFY(called.wait(5000));
        QVERIFY2(
            sinceFirstCall.elapsed() >= 900, qPrintable(QString::number(sinceFirstCall.elapsed())));
        QCOMPARE(called.count(), 2);
        QCOMPARE(called.at(1).at(0).toString(), providerKey(key));

        QTRY_COMPARE_WITH_TIMEOUT(dbStatus(id), QStringLiteral("sent"), deliveryTimeoutMs);
        QCOMPARE(m_provider->callsFor(providerKey(key)), 2);
        // The timed-out call's outcome was unknown: the provider was asked first, and did not
        // know the key (the hung call was never acted on).
        QCOMPARE(m_provider->lookupsFor(providerKey(key)), 1);
        QCOMPARE(m_provider->processedFor(providerKey(key)), 1);
        QCOMPARE(m_provider->delivered().size(), 1);
        QCOMPARE(deliveredReferences(), QStringList { id });
        const QJsonObject sms = apiSms(id);
        QCOMPARE(sms.value(QStringLiteral("attempts")).toInt(), 2);
        QVERIFY(sms.value(QStringLiteral("last_error")).isNull());
        QCOMPARE(
            sms.value(QStringLiteral("provider_message_id")).toString(), QStringLiteral("sm-1"));

        // The feed shows the timed-out attempt (an error, a retry time) before the second one.
        const QList<QJsonObject> changes = smsChanges(since, id);
        QStringList trail;
        for (const QJsonObject &c : changes) {
            const QJsonObject r = c.value(QStringLiteral("record")).toObject();
            trail.append(
                QStringLiteral("%1/%2/%3")
                    .arg(r.value(QStringLiteral("status")).toString())
                    .arg(r.value(QStringLiteral("attempts")).toInt())
                    .arg(r.value(QStringLiteral("last_error")).isNull() ? QStringLiteral("ok")
                                                                        : QStringLiteral("error")));
        }
        QCOMPARE(trail,
            (QStringList { QStringLiteral("queued/0/ok"), QStringLiteral("sending/1/ok"),
                QStringLiteral("sending/1/error"), QStringLiteral("sending/2/error"),
                QStringLiteral("sent/2/ok") }));
        QCOMPARE(sms.value(QStringLiteral("version")).toInteger(), changes.size());

        // One failure (the timeout) and one success in the breaker's window: still closed.
        const QJsonObject b = breaker();
        QCOMPARE(b.value(QStringLiteral("state")).toString(), QStringLiteral("closed"));
        QCOMPARE(b.value(QStringLiteral("buffered_calls")).toInteger(), 2);
        QCOMPARE(b.value(QStringLiteral("failed_calls")).toInteger(), 1);
        QCOMPARE(outboxHealth().value(QStringLiteral("retries")).toInteger(), 1);
    }

    // (d, slow) A provider that takes its time but answers within --sms-timeout is a success:
    // one call per message, no retry, and each row is `sending` while the provider holds it.
    void slowProviderWithinTheTimeoutDeliversOnce()
    {
        QVERIFY(startServer({ QStringLiteral("--sms-timeout"), QStringLiteral("3s") }));
        m_provider->setDelayMs(800);
        QSignalSpy called(m_provider, &SmsProviderStandIn::called);
        QSignalSpy processed(m_provider, &SmsProviderStandIn::processed);
        const qint64 since = changeSeq();
        const QString key = HttpClient::newKey();
        const QString id = sendSms(key, QStringLiteral("Slow but sure"));
        QVERIFY(!id.isEmpty());

        // The call is out and unanswered: the row says so.
        QVERIFY(called.count() > 0 || called.wait(5000));
        QCOMPARE(called.first().first().toString(), providerKey(key));
        QVERIFY(processed.isEmpty());
        QCOMPARE(dbStatus(id), QStringLiteral("sending"));
        QVERIFY(dbText(QStringLiteral("provider_message_id"), id).isEmpty());

        // More messages while the provider is slow.
        QStringList keys { key }, ids { id };
        QVERIFY(sendMany(2, &keys, &ids));
        QTRY_COMPARE_WITH_TIMEOUT(
            dbStatuses(ids), repeated(QStringLiteral("sent"), 3), deliveryTimeoutMs);

        // Each key called once, answered while syncloopd was still waiting, delivered once.
        QCOMPARE(m_provider->calls(), 3);
        QCOMPARE(asSet(m_provider->keysSeen()), asSet(providerKeys(keys)));
        for (const QString &k : keys)
            QCOMPARE(m_provider->callsFor(providerKey(k)), 1);
        QCOMPARE(processed.count(), 3);
        for (const QList<QVariant> &p : processed)
            QVERIFY2(p.at(1).toBool(),
                "syncloopd hung up on a call slower than usual but within its timeout");
        QCOMPARE(m_provider->delivered().size(), 3);
        QCOMPARE(asSet(deliveredReferences()), asSet(ids));

        // queued -> sending -> sent, one attempt, nothing in between.
        for (const QString &smsId : ids) {
            QCOMPARE(statusTrail(since, smsId),
                (QStringList { QStringLiteral("queued/0/ok"), QStringLiteral("sending/1/ok"),
                    QStringLiteral("sent/1/ok") }));
            QCOMPARE(dbInteger(QStringLiteral("version"), smsId), 3);
            QVERIFY(!dbText(QStringLiteral("provider_message_id"), smsId).isEmpty());
        }
        const QJsonObject b = breaker();
        QCOMPARE(b.value(QStringLiteral("state")).toString(), QStringLiteral("closed"));
        QCOMPARE(b.value(QStringLiteral("failed_calls")).toInteger(), 0);
        const QJsonObject outbox = outboxHealth();
        QCOMPARE(outbox.value(QStringLiteral("retries")).toInteger(), 0);
        QCOMPARE(outbox.value(QStringLiteral("sent")).toInteger(), 3);
    }

    // (d, too slow) A provider slower than --sms-timeout: syncloopd gives up on the call, counts
    // a failure and retries with the same key. The retry first asks the provider about the key
    // (the abandoned call's outcome is unknown); the provider has not acted on it yet, so the
    // key is sent again. The provider then acts on the abandoned call too (as a real one
    // would), so the key is all that keeps the phone from getting two texts.
    void providerSlowerThanTheTimeoutIsRetriedAndDeliversOnce()
    {
        QVERIFY(startServer()); // --sms-timeout 1s
        m_provider->setDelayMs(2500); // acted on well after the retry's lookup (~1.1 s)
        QSignalSpy called(m_provider, &SmsProviderStandIn::called);
        QSignalSpy processed(m_provider, &SmsProviderStandIn::processed);
        const qint64 since = changeSeq();
        const QString key = HttpClient::newKey();
        const QString id = sendSms(key, QStringLiteral("Worth the wait"));
        QVERIFY(!id.isEmpty());

        QVERIFY(called.count() > 0 || called.wait(5000));
        QElapsedTimer sinceFirstCall;
        sinceFirstCall.start();
        QCOMPARE(dbStatus(id), QStringLiteral("sending"));
        // The first call keeps its 2.5 s (decided when it arrived); the retry finds the
        // provider slow still, but within the timeout.
        m_provider->setDelayMs(300);
        QTRY_COMPARE_WITH_TIMEOUT(called.count(), 2, 5000);
        QVERIFY2(
            sinceFirstCall.elapsed() >= 900, qPrintable(QString::number(sinceFirstCall.elapsed())));
        QCOMPARE(called.at(1).at(0).toString(), providerKey(key));
        QTRY_COMPARE_WITH_TIMEOUT(dbStatus(id), QStringLiteral("sent"), deliveryTimeoutMs);

        // Both calls were acted on by the provider: one answered, the abandoned one not.
        QTRY_COMPARE_WITH_TIMEOUT(processed.count(), 2, 5000);
        QList<bool> answered;
        for (const QList<QVariant> &p : processed) {
            QCOMPARE(p.at(0).toString(), providerKey(key));
            answered.append(p.at(1).toBool());
        }
        QCOMPARE(answered.count(true), 1);
        QCOMPARE(answered.count(false), 1);

        // The provider's view, by key: two calls, one effect, one lookup before the second.
        QCOMPARE(m_provider->keysSeen(), QStringList { providerKey(key) });
        QCOMPARE(m_provider->callsFor(providerKey(key)), 2);
        QCOMPARE(m_provider->lookupsFor(providerKey(key)), 1);
        QCOMPARE(m_provider->delivered().size(), 1);
        QCOMPARE(deliveredReferences(), QStringList { id });
        QSignalSpy more(m_provider, &SmsProviderStandIn::called);
        QVERIFY2(!more.wait(500), "a delivered message was sent again"); // retries come in ~100 ms

        const QJsonObject sms = apiSms(id);
        QCOMPARE(sms.value(QStringLiteral("status")).toString(), QStringLiteral("sent"));
        QCOMPARE(sms.value(QStringLiteral("attempts")).toInt(), 2);
        QVERIFY(sms.value(QStringLiteral("last_error")).isNull());
        QCOMPARE(
            sms.value(QStringLiteral("provider_message_id")).toString(), QStringLiteral("sm-1"));
        // The timed-out attempt is in the feed as an error before the second attempt.
        const QStringList trail = statusTrail(since, id);
        QCOMPARE(trail,
            (QStringList { QStringLiteral("queued/0/ok"), QStringLiteral("sending/1/ok"),
                QStringLiteral("sending/1/error"), QStringLiteral("sending/2/error"),
                QStringLiteral("sent/2/ok") }));
        QCOMPARE(sms.value(QStringLiteral("version")).toInteger(), trail.size());

        // The slow call counted as a failure; the retry as a success.
        const QJsonObject b = breaker();
        QCOMPARE(b.value(QStringLiteral("state")).toString(), QStringLiteral("closed"));
        QCOMPARE(b.value(QStringLiteral("buffered_calls")).toInteger(), 2);
        QCOMPARE(b.value(QStringLiteral("failed_calls")).toInteger(), 1);
        const QJsonObject outbox = outboxHealth();
        QCOMPARE(outbox.value(QStringLiteral("retries")).toInteger(), 1);
        QCOMPARE(outbox.value(QStringLiteral("sent")).toInteger(), 1);
        QCOMPARE(outbox.value(QStringLiteral("depth")).toInteger(), 0);
    }

    // (e)
    void exactlyOnceAcrossACrashMidDelivery()
    {
        QVERIFY(startServer());
        m_provider->setMode(SmsProviderStandIn::Mode::Hang);
        QStringList keys, ids;
        QVERIFY(sendMany(3, &keys, &ids));
        QTRY_COMPARE_WITH_TIMEOUT(
            asSet(m_provider->keysSeen()), asSet(providerKeys(keys)), deliveryTimeoutMs);
        QElapsedTimer sinceCalled;
        sinceCalled.start();
        QCOMPARE(dbStatuses(ids), repeated(QStringLiteral("sending"), 3));

        // Crash while every call is in flight; the lease (timeout + 5 s) is still running.
        m_server->kill();
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        for (int i = 0; i < ids.size(); ++i) {
            QCOMPARE(m_provider->callsFor(providerKey(keys[i])), 1);
            QCOMPARE(dbStatus(ids[i]), QStringLiteral("sending"));
            QCOMPARE(dbInteger(QStringLiteral("attempts"), ids[i]), 1);
            const qint64 leaseLeft = dbInteger(QStringLiteral("next_attempt_at_ms"), ids[i]) - now;
            QVERIFY2(leaseLeft > 3000 && leaseLeft <= 6000, qPrintable(QString::number(leaseLeft)));
        }

        m_provider->setMode(SmsProviderStandIn::Mode::Accept);
        QVERIFY(m_server->restart(true));
        QTRY_COMPARE_WITH_TIMEOUT(dbStatuses(ids), repeated(QStringLiteral("sent"), 3), 15000);
        // Not resent before the lease ran out.
        QVERIFY2(sinceCalled.elapsed() >= 5000, qPrintable(QString::number(sinceCalled.elapsed())));

        // Resent with the same keys; each delivered exactly once. The restarted server asked
        // the provider about each key first: none known (the hung calls were never acted on),
        // so each was sent once more.
        QCOMPARE(asSet(m_provider->keysSeen()), asSet(providerKeys(keys)));
        QCOMPARE(m_provider->delivered().size(), 3);
        QCOMPARE(asSet(deliveredReferences()), asSet(ids));
        for (int i = 0; i < ids.size(); ++i) {
            QCOMPARE(m_provider->lookupsFor(providerKey(keys[i])), 1);
            QCOMPARE(m_provider->processedFor(providerKey(keys[i])), 1);
            QCOMPARE(m_provider->callsFor(providerKey(keys[i])), 2);
            QCOMPARE(dbInteger(QStringLiteral("attempts"), ids[i]), 2);
            QCOMPARE(
                dbInteger(QStringLiteral("version"), ids[i]), 4); // queued, sending, sending, sent
            QVERIFY(!dbText(QStringLiteral("provider_message_id"), ids[i]).isEmpty());
        }
        // The clients' tokens survive the restart; the API agrees.
        QCOMPARE(
            apiSms(ids.first()).value(QStringLiteral("status")).toString(), QStringLiteral("sent"));
    }

    // (e, the other half) The provider accepted, but the server died before recording `sent`.
    // The row still says a send call went out: the restarted server asks the provider, which
    // knows the key, and records `sent` without a second send call.
    void acceptedButUnrecordedDeliveryIsNotSentAgain()
    {
        QVERIFY(startServer());
        const QString key = HttpClient::newKey();
        const QString id = sendSms(key, QStringLiteral("Only once, please"));
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(dbStatus(id), QStringLiteral("sent"), deliveryTimeoutMs);
        QVERIFY(sendCallCleared(id)); // answered
        m_server->kill();
        rewindToUnrecordedCall(id);
        const qint64 version = dbInteger(QStringLiteral("version"), id);

        QVERIFY(m_server->restart(true));
        QTRY_COMPARE_WITH_TIMEOUT(dbStatus(id), QStringLiteral("sent"), deliveryTimeoutMs);
        QCOMPARE(m_provider->lookupsFor(providerKey(key)), 1);
        QCOMPARE(m_provider->callsFor(providerKey(key)), 1);
        QCOMPARE(m_provider->delivered().size(), 1);
        QCOMPARE(m_provider->repeatedAccepts(), 0);
        QCOMPARE(dbText(QStringLiteral("provider_message_id"), id), QStringLiteral("sm-1"));
        QCOMPARE(dbText(QStringLiteral("provider_key"), id), providerKey(key));
        QCOMPARE(dbInteger(QStringLiteral("attempts"), id), 2);
        QCOMPARE(dbInteger(QStringLiteral("version"), id), version + 2); // sending, sent
        QVERIFY(sendCallCleared(id));
        QSignalSpy more(m_provider, &SmsProviderStandIn::called);
        QVERIFY2(!more.wait(500), "a message the provider knew was sent again");
    }

    // (e, a real crash) kill -9 while the provider holds the call; it acts on it after the
    // server died (a real provider does not notice the caller left). After the restart the
    // lease runs out, the server asks about the key, and records `sent`: one send call in all.
    void callActedOnAfterACrashIsNotSentAgain()
    {
        // The kill comes well before the timeout, even on a loaded machine.
        QVERIFY(startServer({ QStringLiteral("--sms-timeout"), QStringLiteral("3s") }));
        m_provider->setDelayMs(4000);
        QStringList keys, ids;
        QVERIFY(sendMany(2, &keys, &ids));
        QTRY_COMPARE_WITH_TIMEOUT(
            asSet(m_provider->keysSeen()), asSet(providerKeys(keys)), deliveryTimeoutMs);
        m_server->kill();
        m_provider->setDelayMs(0);
        for (const QString &id : ids) {
            QCOMPARE(dbStatus(id), QStringLiteral("sending"));
            QVERIFY(dbInteger(QStringLiteral("send_started_at_ms"), id)
                > 0); // committed before the call
        }
        for (const QString &k : keys)
            QTRY_COMPARE_WITH_TIMEOUT(
                m_provider->processedFor(providerKey(k)), 1, 10000); // caller gone
        QCOMPARE(m_provider->delivered().size(), 2);

        QVERIFY(m_server->restart(true));
        QTRY_COMPARE_WITH_TIMEOUT(dbStatuses(ids), repeated(QStringLiteral("sent"), 2), 15000);
        QSignalSpy more(m_provider, &SmsProviderStandIn::called);
        QVERIFY2(!more.wait(500), "a message the provider knew was sent again");
        QCOMPARE(m_provider->calls(), 2);
        QCOMPARE(m_provider->repeatedAccepts(), 0);
        QCOMPARE(m_provider->delivered().size(), 2);
        for (int i = 0; i < ids.size(); ++i) {
            QCOMPARE(m_provider->callsFor(providerKey(keys[i])), 1);
            QCOMPARE(m_provider->lookupsFor(providerKey(keys[i])), 1);
            QCOMPARE(dbText(QStringLiteral("provider_key"), ids[i]), providerKey(keys[i]));
            QVERIFY(!dbText(QStringLiteral("provider_message_id"), ids[i]).isEmpty());
            QCOMPARE(dbInteger(QStringLiteral("attempts"), ids[i]), 2);
            QCOMPARE(
                dbInteger(QStringLiteral("version"), ids[i]), 4); // queued, sending, sending, sent
        }
        QCOMPARE(outboxHealth().value(QStringLiteral("sent")).toInteger(), 2);
    }

    // A lookup that fails (503) or hangs past --sms-timeout never turns into a blind send: the
    // row waits, with backoff, asking again, until the provider answers; then it is sent once.
    void failingLookupHoldsTheSendUntilItAnswers_data()
    {
        QTest::addColumn<bool>("hangs");
        QTest::newRow("503") << false;
        QTest::newRow("hangs") << true;
    }
    void failingLookupHoldsTheSendUntilItAnswers()
    {
        QFETCH(bool, hangs);
        const auto mode
            = hangs ? SmsProviderStandIn::LookupMode::Hang : SmsProviderStandIn::LookupMode::Fail;
        QVERIFY(startServer({ QStringLiteral("--sms-max-attempts"), QStringLiteral("30"),
            QStringLiteral("--sms-timeout"), QStringLiteral("2s") }));
        m_provider->setMode(SmsProviderStandIn::Mode::Hang);
        const QString key = HttpClient::newKey();
        const QString pk = providerKey(key);
        const QString id = sendSms(key, QStringLiteral("Patience"));
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(m_provider->callsFor(pk), 1, deliveryTimeoutMs);
        m_server->kill();
        m_provider->setMode(SmsProviderStandIn::Mode::Accept);
        m_provider->setLookupMode(mode);
        QVERIFY(m_server->restart(true));

        QTRY_VERIFY_WITH_TIMEOUT(m_provider->lookupsFor(pk) >= 3, 30000);
        QCOMPARE(m_provider->callsFor(pk), 1); // nothing sent while the question is open
        QCOMPARE(dbStatus(id), QStringLiteral("sending"));
        QVERIFY2(dbText(QStringLiteral("last_error"), id).contains(QLatin1String("status lookup")),
            qPrintable(dbText(QStringLiteral("last_error"), id)));
        QVERIFY(dbInteger(QStringLiteral("send_started_at_ms"), id) > 0);

        m_provider->setLookupMode(SmsProviderStandIn::LookupMode::Answer);
        QTRY_COMPARE_WITH_TIMEOUT(dbStatus(id), QStringLiteral("sent"), 20000);
        QCOMPARE(m_provider->callsFor(pk), 2); // the hung call, never acted on, and one more
        QCOMPARE(m_provider->processedFor(pk), 1);
        QCOMPARE(m_provider->delivered().size(), 1);
        QCOMPARE(dbText(QStringLiteral("provider_key"), id), pk);
        QVERIFY(dbText(QStringLiteral("last_error"), id).isEmpty());
    }

    // A gateway without the lookup route (405): the old behaviour, said once in the log. A
    // message whose call may have reached it is sent again with the same key, which the
    // provider deduplicates.
    void gatewayWithoutLookupGetsTheSameKeyAgain()
    {
        QVERIFY(startServer({ QStringLiteral("--sms-timeout"), QStringLiteral("3s") }));
        m_provider->setDelayMs(4000);
        QStringList keys, ids;
        QVERIFY(sendMany(2, &keys, &ids));
        QTRY_COMPARE_WITH_TIMEOUT(
            asSet(m_provider->keysSeen()), asSet(providerKeys(keys)), deliveryTimeoutMs);
        m_server->kill();
        m_provider->setDelayMs(0);
        for (const QString &k : keys)
            QTRY_COMPARE_WITH_TIMEOUT(m_provider->processedFor(providerKey(k)), 1, 10000);
        m_provider->setLookupMode(SmsProviderStandIn::LookupMode::Unsupported);

        QVERIFY(m_server->restart(true));
        QTRY_COMPARE_WITH_TIMEOUT(dbStatuses(ids), repeated(QStringLiteral("sent"), 2), 15000);
        QCOMPARE(m_provider->delivered().size(), 2);
        QCOMPARE(m_provider->repeatedAccepts(), 2);
        for (int i = 0; i < ids.size(); ++i) {
            QCOMPARE(m_provider->callsFor(providerKey(keys[i])), 2);
            QCOMPARE(dbText(QStringLiteral("provider_key"), ids[i]), providerKey(keys[i]));
        }
        QVERIFY(m_provider->lookups() >= 1);
        QVERIFY(m_provider->lookups() <= 2); // once told, the server stops asking (two may cross)
        const QString log = m_server->output();
        QCOMPARE(log.count(QStringLiteral("cannot look up a message by its key")), 1);
        QVERIFY2(log.contains(QStringLiteral("HTTP 405")), qPrintable(log.right(2000)));
    }

    // (f) Attempts are spent only on real calls: refusals by the open breaker cost nothing, so
    // each message makes exactly --sms-max-attempts calls before it is given up. Two messages
    // make six failures, which trips the breaker on the way; its short open wait only delays
    // the last attempts.
    void givesUpAfterMaxAttempts()
    {
        QVERIFY(startServer({ QStringLiteral("--sms-max-attempts"), QStringLiteral("3"),
            QStringLiteral("--sms-breaker-open"), QStringLiteral("500ms") }));
        m_provider->setMode(SmsProviderStandIn::Mode::Fail);
        QStringList keys, ids;
        QVERIFY(sendMany(2, &keys, &ids));

        QTRY_COMPARE_WITH_TIMEOUT(
            dbStatuses(ids), repeated(QStringLiteral("failed"), 2), deliveryTimeoutMs);
        QSignalSpy called(m_provider, &SmsProviderStandIn::called);
        QVERIFY2(!called.wait(800), "a message was sent again after it was given up");
        QVERIFY(m_provider->delivered().isEmpty());
        for (int i = 0; i < ids.size(); ++i) {
            QCOMPARE(m_provider->callsFor(providerKey(keys[i])), 3);
            const QJsonObject sms = apiSms(ids[i]);
            QCOMPARE(sms.value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
            QCOMPARE(sms.value(QStringLiteral("attempts")).toInt(), 3);
            const QString error = sms.value(QStringLiteral("last_error")).toString();
            QVERIFY2(
                error.startsWith(QLatin1String("gave up after 3 attempts")), qPrintable(error));
            QVERIFY2(error.contains(QLatin1String("503")), qPrintable(error));
        }
        QCOMPARE(m_provider->calls(), 6);
        const QJsonObject outbox = outboxHealth();
        QCOMPARE(outbox.value(QStringLiteral("failed")).toInteger(), 2);
        QCOMPARE(outbox.value(QStringLiteral("depth")).toInteger(), 0);
        QCOMPARE(outbox.value(QStringLiteral("attempts")).toInteger(), 6);
    }

    // The demo's loopback provider (no --sms-gateway) answers the same question from its file:
    // a key it wrote is known (no second line), one it never saw is sent (one line).
    void loopbackProviderAnswersLookups()
    {
        ServerProcess::Options options;
        options.demoBookings = 4;
        m_server = std::make_unique<ServerProcess>(options);
        QVERIFY(m_server->start());
        m_db = std::make_unique<DbInspector>(m_server->databasePath());
        m_agent = std::make_unique<HttpClient>(m_server->baseUrl());
        QVERIFY(!m_agent->login(DemoData::agent1).isEmpty());
        m_lead = DemoData::leads(*m_agent).first();
        const QString phone
            = QDir(m_server->dataDir()).filePath(QStringLiteral("loopback-sms.jsonl"));
        auto lines = [&phone] {
            QFile f(phone);
            return f.open(QIODevice::ReadOnly) ? f.readAll().count('\n') : -1;
        };
        const QString id = sendSms(HttpClient::newKey(), QStringLiteral("Loopback"));
        QVERIFY(!id.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(dbStatus(id), QStringLiteral("sent"), deliveryTimeoutMs);
        QCOMPARE(lines(), 1);

        // Known: recorded sent again without a second line.
        m_server->kill();
        rewindToUnrecordedCall(id);
        QVERIFY(m_server->restart(true));
        QTRY_COMPARE_WITH_TIMEOUT(dbStatus(id), QStringLiteral("sent"), deliveryTimeoutMs);
        QCOMPARE(
            dbText(QStringLiteral("provider_message_id"), id), QStringLiteral("loopback-") + id);
        QCOMPARE(dbInteger(QStringLiteral("attempts"), id), 2);
        QCOMPARE(lines(), 1);
        m_admin = std::make_unique<HttpClient>(m_server->baseUrl());
        QVERIFY(!m_admin->login(DemoData::admin).isEmpty());
        QCOMPARE(outboxHealth().value(QStringLiteral("attempts")).toInteger(),
            0); // no send call since the restart
        QCOMPARE(outboxHealth().value(QStringLiteral("sent")).toInteger(), 1);

        // Unknown (the phone lost its record): sent once.
        m_server->kill();
        rewindToUnrecordedCall(id);
        QVERIFY(QFile::remove(phone));
        QVERIFY(m_server->restart(true));
        QTRY_COMPARE_WITH_TIMEOUT(dbStatus(id), QStringLiteral("sent"), deliveryTimeoutMs);
        QCOMPARE(dbInteger(QStringLiteral("attempts"), id), 3);
        QCOMPARE(lines(), 1);
        QVERIFY(sendCallCleared(id));
        QVERIFY(!m_admin->login(DemoData::admin).isEmpty());
        QCOMPARE(outboxHealth().value(QStringLiteral("attempts")).toInteger(), 1);
    }

    // Keys are scoped per user: two users who happen to send the same key each get their SMS.
    void sameKeyFromTwoUsersDeliversBoth()
    {
        QVERIFY(startServer());
        HttpClient other(m_server->baseUrl());
        QVERIFY(!other.login(DemoData::agent2).isEmpty());
        const QString otherLead
            = DemoData::leads(other).first().value(QStringLiteral("id")).toString();
        const QString key = HttpClient::newKey();
        const QString mine = sendSms(key, QStringLiteral("from agent 1"));
        const HttpResult theirs = other.postJson(QStringLiteral("/api/leads/send-sms"),
            { { QStringLiteral("leadId"), otherLead },
                { QStringLiteral("message"), QStringLiteral("from agent 2") } },
            key);
        QCOMPARE(theirs.status, 202);
        QVERIFY(theirs.header("Idempotent-Replayed").isNull());
        const QString theirId = theirs.json()
                                    .value(QStringLiteral("sms"))
                                    .toObject()
                                    .value(QStringLiteral("id"))
                                    .toString();
        QTRY_COMPARE_WITH_TIMEOUT(dbStatus(mine), QStringLiteral("sent"), deliveryTimeoutMs);
        QTRY_COMPARE_WITH_TIMEOUT(dbStatus(theirId), QStringLiteral("sent"), deliveryTimeoutMs);
        QCOMPARE(m_provider->delivered().size(), 2);
        QCOMPARE(asSet(deliveredReferences()), (QSet<QString> { mine, theirId }));
        QCOMPARE(m_provider->keysSeen().size(), 2);
    }
};

QTEST_GUILESS_MAIN(TestSmsOutbox)
#include "tst_sms_outbox.moc"
