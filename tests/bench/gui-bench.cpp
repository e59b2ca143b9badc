// gui-bench: how smooth the window stays while it builds a big repository and a flood of log
// lines arrives. Not a test: it prints figures.
//
//   gui-bench REPOSITORY [--lines-per-second N] [--seconds-after S] [--data-dir DIR]
//
// The real window (Main.qml with the controllers main() makes) builds REPOSITORY while a
// thread posts N log lines a second (default 100,000) into the Deploy page's event queue. On
// the GUI thread a 1 ms timer records the longest gap between its ticks (the longest stall of
// the event loop), and frameSwapped records the frame intervals. The flood keeps going for
// S seconds after the build (default 3). Run it through tests/bench/gui-bench.sh.

#include "console.h"
#include "models/eventpump.h"
#include "models/layermodel.h"
#include "models/logmodel.h"
#include "util/paths.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>
#include <QtQml/QQmlExtensionPlugin>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

Q_IMPORT_QML_PLUGIN(Slipway_UiPlugin)

namespace {

struct Stats
{
    double max = 0;
    double p99 = 0;
    double median = 0;
    size_t count = 0;
};

Stats statsOf(std::vector<double> samples)
{
    Stats stats;
    stats.count = samples.size();
    if (samples.empty())
        return stats;
    std::sort(samples.begin(), samples.end());
    stats.max = samples.back();
    stats.p99 = samples[std::min(samples.size() - 1, size_t(double(samples.size()) * 0.99))];
    stats.median = samples[samples.size() / 2];
    return stats;
}

double threadCpuMs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return double(now.tv_sec) * 1e3 + double(now.tv_nsec) / 1e6;
}

// Posts `perSecond` lines a second in 1 ms batches until stopped; counts what it posted.
void flood(slipway::EventSink *sink, int perSecond, std::stop_token stop, std::atomic<qint64> *posted)
{
    // It stands for the build's workers, which run niced (see DeployController).
    setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), 10);
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    qint64 sent = 0;
    while (!stop.stop_requested()) {
        const double seconds = std::chrono::duration<double>(clock::now() - start).count();
        const qint64 due = qint64(seconds * perSecond);
        for (; sent < due; ++sent) {
            slipway::LogEvent line;
            line.time = QDateTime::currentDateTimeUtc(); // as EventSink::log stamps lines
            line.level = sent % 50 == 0 ? slipway::LogLevel::Warning : slipway::LogLevel::Info;
            line.stage = QStringLiteral("build");
            line.text = QStringLiteral("flood line %1: compressing chunk of node_modules/pkg%2/index.js")
                            .arg(sent)
                            .arg(sent % 997);
            sink->post(std::move(line));
        }
        posted->store(sent);
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

} // namespace

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    QGuiApplication::setOrganizationName(QStringLiteral("SlipwayBench"));
    QGuiApplication::setApplicationName(QStringLiteral("gui-bench"));

    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("repository"), QStringLiteral("The repository to build."));
    const QCommandLineOption rate(QStringLiteral("lines-per-second"), QStringLiteral("Log lines a second."),
                                  QStringLiteral("N"), QStringLiteral("100000"));
    const QCommandLineOption after(QStringLiteral("seconds-after"),
                                   QStringLiteral("Seconds the flood goes on after the build."),
                                   QStringLiteral("S"), QStringLiteral("3"));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"), QStringLiteral("Cache and layouts here."),
                                     QStringLiteral("DIR"));
    parser.addOptions({rate, after, dataDir});
    parser.addHelpOption();
    parser.process(app);
    if (parser.positionalArguments().size() != 1) {
        QTextStream(stderr) << "usage: gui-bench REPOSITORY [--lines-per-second N] [--seconds-after S]\n";
        return 2;
    }
    QTemporaryDir temporary;
    const QString data = parser.isSet(dataDir) ? parser.value(dataDir) : temporary.path();

    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    Console console(data);
    console.settings.setCacheLocation(slipway::DataDirs::resolve(data).cache);
    DeployController &deploy = console.deploy;
    deploy.setProject(parser.positionalArguments().constFirst());

    QQmlApplicationEngine engine;
    engine.setInitialProperties(console.windowProperties());
    engine.load(Console::windowUrl());
    if (engine.rootObjects().isEmpty())
        return 1;
    auto *window = qobject_cast<QQuickWindow *>(engine.rootObjects().constFirst());

    // The event loop's stalls: the gap between ticks of a 1 ms timer. The first seconds, with
    // the window idle, are the baseline: what the machine's load alone costs.
    std::vector<double> idleGaps;
    std::vector<double> gaps;
    std::vector<double> *sink = &idleGaps;
    QElapsedTimer loopClock;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, &app, [&] {
        if (loopClock.isValid())
            sink->push_back(double(loopClock.nsecsElapsed()) / 1e6);
        loopClock.restart();
    });
    // Frame intervals, measured on the GUI thread when each frame has been swapped.
    std::vector<double> frames;
    QElapsedTimer frameClock;
    QObject::connect(
        window, &QQuickWindow::frameSwapped, &app,
        [&] {
            // An idle window draws nothing: only frames while the run goes are measured.
            if (frameClock.isValid() && sink == &gaps)
                frames.push_back(double(frameClock.nsecsElapsed()) / 1e6);
            frameClock.restart();
        },
        Qt::QueuedConnection);

    // The pump runs from this timer instead of its own, so each batch's cost (models, views'
    // bindings and delegates updated synchronously) is measured.
    std::vector<double> pumps;
    deploy.pump()->stop();
    QTimer pumpTimer;
    pumpTimer.setInterval(EventPump::DefaultInterval);
    QObject::connect(&pumpTimer, &QTimer::timeout, &app, [&] {
        QElapsedTimer clock;
        clock.start();
        deploy.pump()->pump();
        pumps.push_back(double(clock.nsecsElapsed()) / 1e6);
    });
    pumpTimer.start();
    ticker.start();

    std::atomic<qint64> posted{0};
    double cpuAtStart = 0;
    std::jthread producer;
    QElapsedTimer total;
    double buildSeconds = 0;
    bool buildOk = false;
    QObject::connect(&deploy, &DeployController::finished, &app, [&](bool ok) {
        buildSeconds = double(total.elapsed()) / 1000.0;
        buildOk = ok;
        QTimer::singleShot(int(parser.value(after).toDouble() * 1000), &app,
                           [&] { QGuiApplication::quit(); });
    });

    // Start once the window is up and the refs are read, so start-up is not measured.
    QTimer::singleShot(3000, &app, [&] {
        sink = &gaps;
        loopClock.invalidate();
        frameClock.invalidate();
        cpuAtStart = threadCpuMs();
        total.start();
        producer = std::jthread([&](std::stop_token stop) {
            flood(deploy.eventQueue(), parser.value(rate).toInt(), stop, &posted);
        });
        if (!deploy.build()) {
            QTextStream(stderr) << "gui-bench: " << deploy.error() << '\n';
            QGuiApplication::exit(1);
        }
    });
    const int status = QGuiApplication::exec();
    producer.request_stop();
    if (producer.joinable())
        producer.join();
    ticker.stop();

    const double seconds = double(total.elapsed()) / 1000.0;
    const double cpuMs = threadCpuMs() - cpuAtStart;
    const Stats idle = statsOf(idleGaps);
    const Stats loop = statsOf(gaps);
    const Stats pump = statsOf(pumps);
    const Stats frame = statsOf(frames);
    QTextStream out(stdout);
    out << "platform           " << QGuiApplication::platformName() << '\n'
        << "build              " << (buildOk ? "done" : "FAILED: ") << (buildOk ? QString() : deploy.error())
        << " in " << QString::number(buildSeconds, 'f', 1) << " s\n"
        << "log lines posted   " << posted.load() << " in " << QString::number(seconds, 'f', 1) << " s ("
        << qint64(double(posted.load()) / seconds)
        << " a second); in the model: " << deploy.logModel()->count() << '\n'
        << "GUI thread CPU     " << QString::number(cpuMs / seconds / 10.0, 'f', 1) << " % of a core\n"
        << "pump (one batch)   max " << QString::number(pump.max, 'f', 1) << " ms, p99 "
        << QString::number(pump.p99, 'f', 1) << " ms, median " << QString::number(pump.median, 'f', 2)
        << " ms (" << pump.count << " batches, whole run)\n"
        << "idle loop baseline max " << QString::number(idle.max, 'f', 1) << " ms, p99 "
        << QString::number(idle.p99, 'f', 1) << " ms, median " << QString::number(idle.median, 'f', 2)
        << " ms (" << idle.count << " ticks, window idle, same machine load)\n"
        << "event-loop stall   max " << QString::number(loop.max, 'f', 1) << " ms, p99 "
        << QString::number(loop.p99, 'f', 1) << " ms, median " << QString::number(loop.median, 'f', 2)
        << " ms (" << loop.count << " ticks of a 1 ms timer)\n"
        << "frame interval     max " << QString::number(frame.max, 'f', 1) << " ms, p99 "
        << QString::number(frame.p99, 'f', 1) << " ms, median " << QString::number(frame.median, 'f', 1)
        << " ms (" << frame.count << " frames)\n";
    return status == 0 && buildOk ? 0 : 1;
}
