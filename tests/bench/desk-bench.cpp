// syncloop-desk at scale, offscreen: the real main window signed in to a real syncloopd whose
// agent owns 10,000 bookings. Prints
//  - first paint: from pressing Return in the login dialog to the bookings list painted with
//    its cards (the snapshot loaded),
//  - resident memory after the first paint and at the end,
//  - event-loop stalls while 200 changes/s arrive over realtime (a separate Node process
//    confirms bookings through the REST API): a 5 ms timer measures every gap.
//
//   desk-bench [--bookings-per-agent 10000] [--rate 200] [--seconds 20]
#include "bookingstore.h"
#include "bookingsview.h"
#include "cardlistview.h"
#include "deskcontroller.h"
#include "logindialog.h"
#include "mainwindow.h"
#include "serverprocess.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QLineEdit>
#include <QProcess>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>
#include <algorithm>
#include <cstdio>

namespace {

double rssMb(const char *field = "VmRSS:")
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith(field))
            return line.mid(int(qstrlen(field))).trimmed().split(' ').first().toDouble() / 1024.0;
    }
    return -1;
}

// Counts paints of the list's viewport once the list holds every booking.
class PaintWatch : public QObject
{
public:
    explicit PaintWatch(std::function<bool()> ready)
        : m_ready(std::move(ready))
    { }
    bool painted = false;
    qint64 at = 0;
    QElapsedTimer *clock = nullptr;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint && !painted && m_ready()) {
            painted = true;
            at = clock->elapsed();
        }
        return QObject::eventFilter(watched, event);
    }

private:
    std::function<bool()> m_ready;
};

} // namespace

int main(int argc, char *argv[])
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(QStringLiteral("syncloop-bench"));
    QApplication::setApplicationName(QStringLiteral("desk-bench"));
    QCommandLineParser parser;
    const QCommandLineOption perAgent(QStringLiteral("bookings-per-agent"),
        QStringLiteral("Bookings of the signed-in agent."), QStringLiteral("n"),
        QStringLiteral("10000"));
    const QCommandLineOption rateOption(QStringLiteral("rate"),
        QStringLiteral("Changes per second during the stall test."), QStringLiteral("n"),
        QStringLiteral("200"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"),
        QStringLiteral("Length of the stall test."), QStringLiteral("n"), QStringLiteral("20"));
    parser.addOptions({ perAgent, rateOption, secondsOption });
    parser.addHelpOption();
    parser.process(app);
    const int bookings = parser.value(perAgent).toInt();
    const int rate = parser.value(rateOption).toInt();
    const int seconds = parser.value(secondsOption).toInt();

    ServerProcess::Options serverOptions;
    serverOptions.demoBookings = bookings * 2; // split between the two agents
    ServerProcess server(serverOptions);
    if (!server.start(60000)) {
        std::fprintf(stderr, "desk-bench: syncloopd did not start\n");
        return 1;
    }
    QTemporaryDir clientDir;
    DeskController::Options options;
    options.server = server.baseUrl();
    options.queuePath = clientDir.filePath(QStringLiteral("queue.sqlite"));
    options.credentials = CredentialStore::Backend::MemoryOnly;
    DeskController desk(options);
    QString error;
    if (!desk.start(&error)) {
        std::fprintf(stderr, "desk-bench: %s\n", qPrintable(error));
        return 1;
    }
    QSignalSpy shown(&desk, &DeskController::windowShown);
    LoginDialog *login = desk.loginDialog();
    login->emailEdit()->setText(QStringLiteral("agent1@example.com"));
    login->passwordEdit()->setText(QStringLiteral("syncloop-demo"));
    const double rssBefore = rssMb();

    QElapsedTimer clock;
    clock.start();
    PaintWatch watch([&desk, bookings] {
        return desk.window() && desk.session()->bookings()->rowCount() >= bookings
            && !desk.window()->bookings()->list()->visibleCards().isEmpty();
    });
    watch.clock = &clock;
    app.installEventFilter(&watch);
    QTest::keyClick(login->passwordEdit(), Qt::Key_Return);
    while (!watch.painted && clock.elapsed() < 60000)
        QTest::qWait(1);
    app.removeEventFilter(&watch);
    if (!watch.painted) {
        std::fprintf(stderr, "desk-bench: the window never painted its bookings\n");
        return 1;
    }
    const qint64 firstPaintMs = watch.at;
    const double rssAfterPaint = rssMb();
    MainWindow *window = desk.window();
    window->resize(1200, 800);

    // Wait until realtime is live, then load it with changes from another process.
    QElapsedTimer wait;
    wait.start();
    while (!desk.session()->realtime()->isLive() && wait.elapsed() < 20000)
        QTest::qWait(10);

    QProcess load;
    load.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    load.start(QStringLiteral("node"),
        { QStringLiteral(BENCH_DIR "/change-load.cjs"), server.baseUrl().toString(),
            QString::number(rate), QString::number(seconds) });
    if (!load.waitForStarted()) {
        std::fprintf(stderr, "desk-bench: node is needed for the change load\n");
        return 1;
    }
    QList<qint64> gaps;
    QElapsedTimer tickClock;
    qint64 last = -1;
    QTimer tick;
    tick.setTimerType(Qt::PreciseTimer);
    QObject::connect(&tick, &QTimer::timeout, [&] {
        const qint64 now = tickClock.nsecsElapsed() / 1000;
        if (last >= 0)
            gaps.append(now - last);
        last = now;
    });
    const int changesBefore = desk.session()->bookings()->rowCount();
    int applied = 0;
    QObject::connect(
        desk.session()->bookings(), &QAbstractItemModel::dataChanged, [&applied] { ++applied; });
    tickClock.start();
    tick.start(5);
    // Scroll now and then too: a user does.
    QTimer scroll;
    QObject::connect(&scroll, &QTimer::timeout, [window] {
        CardListView *list = window->bookings()->list();
        list->verticalScrollBar()->setValue((list->verticalScrollBar()->value() + 997)
            % std::max(1, list->verticalScrollBar()->maximum()));
    });
    scroll.start(250);
    while (load.state() != QProcess::NotRunning)
        QTest::qWait(5);
    tick.stop();
    scroll.stop();
    const QByteArray loadReport = load.readAllStandardOutput().trimmed();
    std::sort(gaps.begin(), gaps.end());
    auto pct = [&gaps](double p) {
        return gaps.isEmpty()
            ? 0.0
            : double(gaps[std::min<qsizetype>(gaps.size() - 1, qsizetype(p * double(gaps.size())))])
                / 1000.0;
    };
    const double maxStallMs = gaps.isEmpty() ? 0 : double(gaps.last()) / 1000.0 - 5.0;

    std::printf("desk-bench: %d bookings visible to the agent (machine: %d cores)\n", changesBefore,
        QThread::idealThreadCount());
    std::printf("  first paint after login ........ %lld ms   (floor 1500 ms)\n", firstPaintMs);
    std::printf("  resident memory ................ %.1f MB before login, %.1f MB after first "
                "paint, %.1f MB at the end, peak %.1f MB   (floor 250 MB)\n",
        rssBefore, rssAfterPaint, rssMb(), rssMb("VmHWM:"));
    std::printf("  change load .................... %s\n", loadReport.constData());
    std::printf("  model updates applied .......... %d\n", applied);
    std::printf("  event-loop gaps (5 ms timer) ... p50 %.1f ms, p99 %.1f ms, max %.1f ms -> "
                "longest stall %.1f ms   (floor 50 ms)\n",
        pct(0.5), pct(0.99), gaps.isEmpty() ? 0.0 : double(gaps.last()) / 1000.0, maxStallMs);
    return 0;
}
