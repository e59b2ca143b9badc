// gui-bench: how smooth the window stays while it builds a big repository and a flood of log
// lines arrives. Not a test: it prints figures.
//
//   gui-bench REPOSITORY [--lines-per-second N] [--seconds-after S] [--data-dir DIR]
//             [--trace-stalls MS] [--no-build S] [--app-log N]
//
// The real window (Main.qml with the controllers main() makes) builds REPOSITORY while a
// thread posts N log lines a second (default 100,000) into the Deploy page's event queue. On
// the GUI thread a 1 ms timer records the longest gap between its ticks (the longest stall of
// the event loop), and frameSwapped records the frame intervals. The flood keeps going for
// S seconds after the build (default 3). --no-build S floods for S seconds without building.
// --app-log N: the Apps page follows, in its logs dialog, a real container on a Podman service
// of the bench's own that writes about N lines a second (the issue 16 case); with --no-build
// and --lines-per-second 0 that log is the only load.
// Run it through tests/bench/gui-bench.sh.
//
// Attribution: every gap of the timer longer than --trace-stalls (default 8 ms) is split into
// the time the GUI thread ran, waited for a CPU (the kernel's run delay, from
// /proc/self/task/TID/schedstat) and slept (blocked: on the render thread's sync, or idle);
// the events the GUI thread handled in it (receiver class and event type, from notify(), with
// the minor page faults each took) and
// the marks the window and models left (pump slices, sync, rows inserted and removed, stage
// ticks, GC and scene-graph timing messages) are printed beside it.

#include "console.h"
#include "history/history.h"
#include "models/eventpump.h"
#include "models/layermodel.h"
#include "models/logmodel.h"
#include "podmanservice.h"
#include "scenegraph.h"
#include "util/paths.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QGuiApplication>
#include <QMutex>
#include <QQmlApplicationEngine>
#include <QQmlEngine>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QTimer>
#include <QtQml/QQmlExtensionPlugin>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

Q_IMPORT_QML_PLUGIN(Slipway_UiPlugin)

using namespace Qt::StringLiterals;

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

// Time the machine's CPUs were taken away by the host (a virtual machine's steal time, from
// /proc/stat, all CPUs), in ms; -1 where it is not reported. A run with steal is a run on a
// machine slower than its own figures.
double stealMs()
{
    QFile stat(QStringLiteral("/proc/stat"));
    if (!stat.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> fields = stat.readLine().simplified().split(' ');
    if (fields.size() < 9 || fields.at(0) != "cpu")
        return -1;
    return fields.at(8).toDouble() * 1000.0 / double(sysconf(_SC_CLK_TCK));
}

// One clock for everything the run records, in ms since start.
QElapsedTimer runClock;

double nowMs()
{
    return double(runClock.nsecsElapsed()) / 1e6;
}

// The GUI thread's run delay (ns it was runnable but had no CPU) and CPU time, from the
// kernel's scheduler statistics: "cpu_ns run_delay_ns timeslices".
class SchedStat
{
public:
    SchedStat()
    {
        const QByteArray path =
            "/proc/self/task/" + QByteArray::number(qint64(syscall(SYS_gettid))) + "/schedstat";
        m_fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
    }
    ~SchedStat()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }
    SchedStat(const SchedStat &) = delete;
    SchedStat &operator=(const SchedStat &) = delete;

    // {cpu ms, run delay ms}; zeros when the kernel has no schedstat.
    std::pair<double, double> read() const
    {
        char buffer[128];
        const ssize_t got = m_fd >= 0 ? ::pread(m_fd, buffer, sizeof buffer - 1, 0) : -1;
        if (got <= 0)
            return {0, 0};
        buffer[got] = 0;
        unsigned long long cpu = 0;
        unsigned long long delay = 0;
        if (std::sscanf(buffer, "%llu %llu", &cpu, &delay) != 2)
            return {0, 0};
        return {double(cpu) / 1e6, double(delay) / 1e6};
    }

private:
    int m_fd = -1;
};

// What happened when: marks from the models, the window (some on the render thread) and the
// message handler, and the GUI thread's long event deliveries.
struct Mark
{
    double at = 0;       // ms
    double duration = 0; // ms, 0 for an instant
    bool renderThread = false;
    QString what;
};

class Trace
{
public:
    void mark(double at, double duration, QString what)
    {
        const bool render = QThread::currentThread() != m_gui;
        const QMutexLocker lock(&m_mutex);
        if (m_on)
            m_marks.push_back(
                Mark{.at = at, .duration = duration, .renderThread = render, .what = std::move(what)});
    }
    void setGuiThread(QThread *thread) { m_gui = thread; }
    void setOn(bool on)
    {
        const QMutexLocker lock(&m_mutex);
        m_on = on;
    }
    std::vector<Mark> marks()
    {
        const QMutexLocker lock(&m_mutex);
        return m_marks;
    }

private:
    QMutex m_mutex;
    QThread *m_gui = nullptr;
    bool m_on = false;
    std::vector<Mark> m_marks;
};

Trace trace;

// The GUI thread's page faults so far: major (a page of a mapped file read from the disk) and
// minor (a page mapped without the disk, as at the first touch of newly allocated memory).
std::pair<long, long> faultsOfThisThread()
{
    rusage usage{};
    getrusage(RUSAGE_THREAD, &usage);
    return {usage.ru_majflt, usage.ru_minflt};
}

// Times every event the GUI thread's loop delivers (not the nested ones): one longer than 1 ms
// is marked with its receiver's class and the event's type.
class BenchApp final : public QGuiApplication
{
public:
    using QGuiApplication::QGuiApplication;

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!m_timing || m_depth > 0 || QThread::currentThread() != thread())
            return QGuiApplication::notify(receiver, event);
        // Taken before: the receiver may be gone after (deferred deletes).
        const char *className = receiver->metaObject()->className();
        const auto type = event->type();
        // The window's own update events are its frames, as far as this thread does them: polish,
        // animation, and with the basic render loop sync, render and swap too.
        const bool isFrame = (type == QEvent::Timer || type == QEvent::UpdateRequest) &&
                             qobject_cast<QQuickWindow *>(receiver);
        int interval = -1;
        if (type == QEvent::Timer)
            if (auto *timer = qobject_cast<QTimer *>(receiver))
                interval = timer->interval();
        const double start = nowMs();
        const double cpuStart = threadCpuMs();
        const long faultsBefore = faultsOfThisThread().second;
        ++m_depth;
        const bool result = QGuiApplication::notify(receiver, event);
        --m_depth;
        const double took = nowMs() - start;
        if (isFrame)
            m_frameTimes.push_back(took);
        // CPU time hardly depends on the machine's load: the figure to compare across runs.
        Cost &cost = m_costs[{className, int(type)}];
        const double cpu = threadCpuMs() - cpuStart;
        ++cost.count;
        cost.cpu += cpu;
        cost.maxCpu = std::max(cost.maxCpu, cpu);
        if (took >= 1.0) {
            QString what = QString::fromLatin1(className) + u' ' + eventName(type);
            if (interval >= 0)
                what += QStringLiteral(" (QTimer %1 ms)").arg(interval);
            if (const long faults = faultsOfThisThread().second - faultsBefore; faults > 0)
                what += QStringLiteral(" (%1 minor faults)").arg(faults);
            trace.mark(start, took, what);
        }
        return result;
    }

    void setTiming(bool on) { m_timing = on; }
    const std::vector<double> &frameTimes() const { return m_frameTimes; }

    struct Cost
    {
        int count = 0;
        double cpu = 0;    // ms
        double maxCpu = 0; // ms
    };
    // The GUI thread's CPU time by receiver class and event type, most first.
    void printCosts(QTextStream &out) const
    {
        std::vector<std::pair<std::pair<const char *, int>, Cost>> costs(m_costs.begin(), m_costs.end());
        std::sort(costs.begin(), costs.end(),
                  [](const auto &a, const auto &b) { return a.second.cpu > b.second.cpu; });
        out << "GUI thread CPU by event (receiver, event: count, total ms, mean ms, max ms):\n";
        for (size_t i = 0; i < std::min<size_t>(costs.size(), 8); ++i) {
            const auto &[key, cost] = costs[i];
            out << "    " << key.first << ' ' << eventName(QEvent::Type(key.second)) << ": " << cost.count
                << ", " << QString::number(cost.cpu, 'f', 0) << ", "
                << QString::number(cost.cpu / cost.count, 'f', 3) << ", "
                << QString::number(cost.maxCpu, 'f', 1) << '\n';
        }
    }

private:
    std::vector<double> m_frameTimes; // ms, wall clock
    std::map<std::pair<const char *, int>, Cost> m_costs;

    static QString eventName(QEvent::Type type)
    {
        switch (type) {
        case QEvent::Timer:
            return QStringLiteral("Timer");
        case QEvent::MetaCall:
            return QStringLiteral("MetaCall");
        case QEvent::UpdateRequest:
            return QStringLiteral("UpdateRequest");
        case QEvent::DeferredDelete:
            return QStringLiteral("DeferredDelete");
        case QEvent::Expose:
            return QStringLiteral("Expose");
        default:
            return QStringLiteral("event %1").arg(int(type));
        }
    }

    bool m_timing = false;
    int m_depth = 0;
};

QtMessageHandler previousHandler = nullptr;
std::atomic<bool> quietScenegraph{false};

// Qt's own timing lines (scene graph, GC) become marks; the render loop's name is kept.
QString renderLoopLine;
QMutex renderLoopMutex;

void messageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QString category = QString::fromLatin1(context.category ? context.category : "");
    if (message.contains(u"render loop"_s) || message.contains(u"renderloop"_s)) {
        const QMutexLocker lock(&renderLoopMutex);
        renderLoopLine = category + u": "_s + message;
    }
    if (category.startsWith(u"qt.scenegraph.time"_s) || category.startsWith(u"qt.qml.gc"_s)) {
        trace.mark(nowMs(), 0, category + u": "_s + message.simplified());
        return;
    }
    if (category.startsWith(u"qt.scenegraph"_s) && quietScenegraph)
        return;
    previousHandler(type, context, message);
}

struct Gap
{
    double end = 0;       // ms
    double wall = 0;      // ms
    double cpu = 0;       // ms the GUI thread ran in it
    double runDelay = 0;  // ms it waited for a CPU
    long majorFaults = 0; // page faults the GUI thread waited for the disk on in it
    long minorFaults = 0; // page faults served from memory (first touches of new memory)
};

// Prints the longest gaps with what happened in them, and a tally over all of them of where
// their time went.
void printAttribution(QTextStream &out, std::vector<Gap> gaps, double threshold)
{
    const std::vector<Mark> marks = trace.marks();
    std::sort(gaps.begin(), gaps.end(), [](const Gap &a, const Gap &b) { return a.wall > b.wall; });
    double ran = 0;
    double waited = 0;
    double slept = 0;
    long faults = 0;
    std::map<QString, std::pair<int, double>> dominant; // the longest event in each gap
    for (const Gap &gap : gaps) {
        ran += gap.cpu;
        waited += gap.runDelay;
        slept += std::max(0.0, gap.wall - gap.cpu - gap.runDelay);
        faults += gap.majorFaults;
        const Mark *longest = nullptr;
        for (const Mark &mark : marks)
            if (!mark.renderThread && mark.duration > 0 && mark.at < gap.end &&
                mark.at + mark.duration > gap.end - gap.wall &&
                (!longest || mark.duration > longest->duration))
                longest = &mark;
        auto &entry = dominant[longest ? longest->what : u"(no event over 1 ms)"_s];
        entry.first += 1;
        entry.second += gap.wall;
    }
    out << "stalls over " << threshold << " ms  " << gaps.size() << "; their time: GUI thread ran "
        << QString::number(ran, 'f', 0) << " ms, waited for a CPU " << QString::number(waited, 'f', 0)
        << " ms, slept/blocked " << QString::number(slept, 'f', 0) << " ms; major page faults in them "
        << faults << '\n';
    out << "  longest event in each stall (count, total ms):\n";
    std::vector<std::pair<QString, std::pair<int, double>>> tally(dominant.begin(), dominant.end());
    std::sort(tally.begin(), tally.end(),
              [](const auto &a, const auto &b) { return a.second.second > b.second.second; });
    for (const auto &[what, entry] : tally)
        out << "    " << entry.first << "  " << QString::number(entry.second, 'f', 0) << "  " << what << '\n';
    const size_t shown = std::min<size_t>(gaps.size(), 12);
    for (size_t i = 0; i < shown; ++i) {
        const Gap &gap = gaps[i];
        const double start = gap.end - gap.wall;
        out << "stall " << QString::number(gap.wall, 'f', 1) << " ms at "
            << QString::number(start / 1000, 'f', 3) << " s: ran " << QString::number(gap.cpu, 'f', 1)
            << ", waited for CPU " << QString::number(gap.runDelay, 'f', 1) << ", slept "
            << QString::number(std::max(0.0, gap.wall - gap.cpu - gap.runDelay), 'f', 1) << ", major faults "
            << gap.majorFaults << ", minor " << gap.minorFaults << '\n';
        for (const Mark &mark : marks) {
            if (mark.at + mark.duration < start || mark.at > gap.end)
                continue;
            out << "    +" << QString::number(mark.at - start, 'f', 1)
                << (mark.renderThread ? " [R] " : " [G] ") << mark.what;
            if (mark.duration > 0)
                out << "  " << QString::number(mark.duration, 'f', 1) << " ms";
            out << '\n';
        }
    }
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

// The number in the followed app's line `row` ("app line K: ..."); -1 when there is none.
qint64 appLineNumber(const AppLogsController &logs, int row)
{
    static const QRegularExpression number(QStringLiteral("app line (\\d+)"));
    const QRegularExpressionMatch match = number.match(logs.logText(row, row));
    return match.hasMatch() ? match.captured(1).toLongLong() : -1;
}

// A Podman service of the bench's own, with one app container ("logger", release 1, labelled
// as a deploy labels it) that writes `perSecond` lines a second in batches every 100 ms, and a
// target "bench" for it in the data dir's history. Null with a message on stderr on failure.
std::unique_ptr<slipway::test::PodmanService> startLoggingApp(int perSecond, const QString &dataDir)
{
    auto podman = std::make_unique<slipway::test::PodmanService>();
    QString error;
    const QString image = QStringLiteral("localhost/bench-logger:1");
    const int batch = std::max(1, perSecond / 10);
    const QString script =
        QStringLiteral("i=0; while true; do awk -v s=$i -v n=%1 'BEGIN { for (k = s; k < s + n; k++) "
                       "printf \"app line %d: GET /api/items/%d 200 3ms\\n\", k, k % 997 }'; "
                       "i=$((i+%1)); usleep 100000; done")
            .arg(batch);
    if (!podman->start())
        error = podman->errorString();
    else if (!podman->importBusybox(image, &error))
        ;
    else if (podman->cli({QStringLiteral("run"), QStringLiteral("-d"), QStringLiteral("--name"),
                          QStringLiteral("logger-1"), QStringLiteral("--label"),
                          QStringLiteral("io.slipway.app=logger"), QStringLiteral("--label"),
                          QStringLiteral("io.slipway.release=1"), image, QStringLiteral("/bin/busybox"),
                          QStringLiteral("sh"), QStringLiteral("-c"), script},
                         &error) != 0)
        ;
    else if (auto history = slipway::History::open(
                 slipway::History::defaultPath(slipway::DataDirs::resolve(dataDir).data));
             !history)
        error = history.error().message;
    else if (slipway::Status added = history.value()->addTarget(
                 slipway::Target{QStringLiteral("bench"), podman->endpoint(), {}, {}, {}, {}, 0, 0});
             !added)
        error = added.error().message;
    else
        return podman;
    QTextStream(stderr) << "gui-bench: the logging app: " << error << '\n';
    return nullptr;
}

} // namespace

int main(int argc, char *argv[])
{
    runClock.start();
    previousHandler = qInstallMessageHandler(messageHandler);
    BenchApp app(argc, argv);
    trace.setGuiThread(app.thread());
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
    const QCommandLineOption traceStalls(QStringLiteral("trace-stalls"),
                                         QStringLiteral("Attribute every stall longer than MS."),
                                         QStringLiteral("MS"), QStringLiteral("8"));
    const QCommandLineOption noBuild(QStringLiteral("no-build"),
                                     QStringLiteral("Flood for S seconds without building."),
                                     QStringLiteral("S"));
    const QCommandLineOption appLog(
        QStringLiteral("app-log"), QStringLiteral("Follow an app writing N lines a second on the Apps page."),
        QStringLiteral("N"));
    parser.addOptions({rate, after, dataDir, traceStalls, noBuild, appLog});
    parser.addHelpOption();
    parser.process(app);
    if (parser.positionalArguments().size() != 1) {
        QTextStream(stderr) << "usage: gui-bench REPOSITORY [--lines-per-second N] [--seconds-after S]\n";
        return 2;
    }
    QTemporaryDir temporary;
    const QString data = parser.isSet(dataDir) ? parser.value(dataDir) : temporary.path();

    // The render loop's name comes from qt.scenegraph.general; the rest of it is not printed.
    if (!qEnvironmentVariableIsSet("QSG_INFO")) {
        quietScenegraph = true;
        qputenv("QSG_INFO", "1");
    }
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    // As the app chooses it: Qt Quick's software renderer where OpenGL is a software rasterizer.
    const QByteArray openGlRenderer = chooseSceneGraph();
    std::unique_ptr<slipway::test::PodmanService> podman;
    if (parser.isSet(appLog) && !(podman = startLoggingApp(parser.value(appLog).toInt(), data)))
        return 1;
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
    const double threshold = parser.value(traceStalls).toDouble();
    std::vector<Gap> longGaps;
    const SchedStat schedStat;
    std::pair<double, double> lastSched{0, 0};
    std::pair<long, long> lastFaults{0, 0};
    QElapsedTimer loopClock;
    QTimer ticker;
    ticker.setTimerType(Qt::PreciseTimer);
    ticker.setInterval(1);
    QObject::connect(&ticker, &QTimer::timeout, &app, [&] {
        const auto sched = schedStat.read();
        const auto faults = faultsOfThisThread();
        if (loopClock.isValid()) {
            const double gap = double(loopClock.nsecsElapsed()) / 1e6;
            sink->push_back(gap);
            if (sink == &gaps && gap > threshold)
                longGaps.push_back(Gap{.end = nowMs(),
                                       .wall = gap,
                                       .cpu = sched.first - lastSched.first,
                                       .runDelay = sched.second - lastSched.second,
                                       .majorFaults = faults.first - lastFaults.first,
                                       .minorFaults = faults.second - lastFaults.second});
        }
        lastSched = sched;
        lastFaults = faults;
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
        const double start = nowMs();
        const int events = deploy.pump()->pump();
        const double took = nowMs() - start;
        pumps.push_back(took);
        trace.mark(start, took, QStringLiteral("pump: %1 events").arg(events));
    });
    // What the models and the window do, for the stall attribution.
    LogModel *logModel = deploy.logModel();
    QObject::connect(logModel, &QAbstractItemModel::rowsInserted, &app,
                     [&](const QModelIndex &, int first, int last) {
                         trace.mark(nowMs(), 0, QStringLiteral("log rowsInserted %1").arg(last - first + 1));
                     });
    QObject::connect(logModel, &QAbstractItemModel::rowsRemoved, &app,
                     [&](const QModelIndex &, int first, int last) {
                         trace.mark(nowMs(), 0, QStringLiteral("log rowsRemoved %1").arg(last - first + 1));
                     });
    QObject::connect(deploy.layerModel(), &QAbstractItemModel::dataChanged, &app,
                     [&](const QModelIndex &from, const QModelIndex &to) {
                         trace.mark(nowMs(), 0,
                                    QStringLiteral("layers dataChanged %1").arg(to.row() - from.row() + 1));
                     });
    QObject::connect(&deploy, &DeployController::stagesChanged, &app,
                     [&] { trace.mark(nowMs(), 0, QStringLiteral("stagesChanged")); });
    // Sync and render run on the render thread with the threaded loop, on this one with the
    // basic loop; a direct connection marks them where they run.
    auto span = [](QQuickWindow *w, auto begin, auto end, const QString &name) {
        auto started = std::make_shared<std::atomic<double>>(0);
        QObject::connect(
            w, begin, w, [started] { started->store(nowMs()); }, Qt::DirectConnection);
        QObject::connect(
            w, end, w, [started, name] { trace.mark(started->load(), nowMs() - started->load(), name); },
            Qt::DirectConnection);
    };
    span(window, &QQuickWindow::beforeSynchronizing, &QQuickWindow::afterSynchronizing,
         QStringLiteral("sync"));
    span(window, &QQuickWindow::beforeRendering, &QQuickWindow::afterRendering, QStringLiteral("render"));
    QObject::connect(
        window, &QQuickWindow::afterAnimating, window,
        [] { trace.mark(nowMs(), 0, QStringLiteral("animated")); }, Qt::DirectConnection);
    QObject::connect(
        window, &QQuickWindow::frameSwapped, window,
        [] { trace.mark(nowMs(), 0, QStringLiteral("swapped")); }, Qt::DirectConnection);
    // The followed app's lines: the first that arrived, and when.
    qint64 firstAppLine = -1;
    double firstAppLineAt = 0;
    // An insertion's own cost: from the model's rowsAboutToBeInserted to its rowsInserted after
    // the window's own handlers (connected before these); the view's move to the new lines is a
    // queued call of its own, marked as an event.
    double insertStart = 0;
    long insertFaults = 0;
    QObject::connect(console.appLogs.logModel(), &QAbstractItemModel::rowsAboutToBeInserted, &app, [&] {
        insertStart = nowMs();
        insertFaults = faultsOfThisThread().second;
    });
    QObject::connect(console.appLogs.logModel(), &QAbstractItemModel::rowsInserted, &app,
                     [&](const QModelIndex &, int first, int last) {
                         trace.mark(insertStart, nowMs() - insertStart,
                                    QStringLiteral("app log rowsInserted %1 (%2 minor faults)")
                                        .arg(last - first + 1)
                                        .arg(faultsOfThisThread().second - insertFaults));
                         if (firstAppLine < 0 && (firstAppLine = appLineNumber(console.appLogs, first)) >= 0)
                             firstAppLineAt = nowMs();
                     });
    pumpTimer.start();
    ticker.start();

    std::atomic<qint64> posted{0};
    double cpuAtStart = 0;
    double stealAtStart = 0;
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
        stealAtStart = stealMs();
        total.start();
        trace.setOn(true);
        app.setTiming(true);
        producer = std::jthread([&](std::stop_token stop) {
            flood(deploy.eventQueue(), parser.value(rate).toInt(), stop, &posted);
        });
        if (podman) {
            console.navigation.setCurrentIndex(int(console.navigation.pages().indexOf(u"Apps"_s)));
            console.appLogs.follow(u"logger"_s, {u"bench"_s}, 0);
            QObject *page = window->findChild<QObject *>(u"appsPage"_s);
            QObject *dialog = page ? page->findChild<QObject *>(u"logsDialog"_s) : nullptr;
            if (!dialog || !QMetaObject::invokeMethod(dialog, "open")) {
                QTextStream(stderr) << "gui-bench: no logs dialog on the Apps page\n";
                QGuiApplication::exit(1);
            }
        }
        if (parser.isSet(noBuild)) {
            buildOk = true;
            QTimer::singleShot(int(parser.value(noBuild).toDouble() * 1000), &app,
                               [&] { QGuiApplication::quit(); });
            return;
        }
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
    const double steal = stealAtStart < 0 ? -1 : stealMs() - stealAtStart;
    const Stats idle = statsOf(idleGaps);
    const Stats loop = statsOf(gaps);
    const Stats pump = statsOf(pumps);
    const Stats frame = statsOf(frames);
    const Stats frameTime = statsOf(app.frameTimes());
    const QString buildLine = parser.isSet(noBuild) ? u"none (--no-build)"_s
                              : buildOk
                                  ? QString(u"done in "_s + QString::number(buildSeconds, 'f', 1) + u" s"_s)
                                  : QString(u"FAILED: "_s + deploy.error());
    QString appLogs;
    if (podman) {
        const int rows = console.appLogs.logModel()->count();
        const qint64 lastAppLine = rows > 0 ? appLineNumber(console.appLogs, rows - 1) : -1;
        const double span = (nowMs() - firstAppLineAt) / 1000.0;
        appLogs = QStringLiteral("app log lines      %1 arrived in %2 s (%3 a second), lines %4 to %5; in "
                                 "the model: %6%7\n")
                      .arg(lastAppLine - firstAppLine + 1)
                      .arg(span, 0, 'f', 1)
                      .arg(qint64(double(lastAppLine - firstAppLine + 1) / span))
                      .arg(firstAppLine)
                      .arg(lastAppLine)
                      .arg(rows)
                      .arg(console.appLogs.error().isEmpty() ? QString()
                                                             : u"; error: "_s + console.appLogs.error());
    }
    QTextStream out(stdout);
    const QString renderLoop = [] {
        const QMutexLocker lock(&renderLoopMutex);
        return renderLoopLine;
    }();
    // Where the scene graph synced tells the render loop apart: with the basic loop the GUI
    // thread renders every frame itself, with the threaded one it waits while the render thread
    // syncs.
    int syncsOnRenderThread = 0;
    int syncsOnGuiThread = 0;
    for (const Mark &mark : trace.marks())
        if (mark.what == u"sync")
            ++(mark.renderThread ? syncsOnRenderThread : syncsOnGuiThread);
    out << "platform           " << QGuiApplication::platformName() << ", graphics API "
        << int(window->rendererInterface()->graphicsApi()) << " (QSGRendererInterface::GraphicsApi), "
        << (renderLoop.isEmpty() ? u"render loop not reported"_s : renderLoop)
        << "; syncs on the render thread " << syncsOnRenderThread << ", on the GUI thread "
        << syncsOnGuiThread
        << "; OpenGL renderer: " << (openGlRenderer.isEmpty() ? u"none"_s : QString::fromUtf8(openGlRenderer))
        << '\n'
        << "build              " << buildLine << '\n'
        << "log lines posted   " << posted.load() << " in " << QString::number(seconds, 'f', 1) << " s ("
        << qint64(double(posted.load()) / seconds)
        << " a second); in the model: " << deploy.logModel()->count() << '\n'
        << appLogs << "GUI thread CPU     " << QString::number(cpuMs / seconds / 10.0, 'f', 1)
        << " % of a core\n"
        << "CPU stolen by host "
        << (steal < 0 ? u"not reported"_s : QString::number(steal, 'f', 0) + u" ms"_s)
        << " (a virtual machine's steal time, both CPUs, in the measured time)\n"
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
        << " ms (" << frame.count << " frames)\n"
        << "frame time         max " << QString::number(frameTime.max, 'f', 1) << " ms, p99 "
        << QString::number(frameTime.p99, 'f', 1) << " ms, median "
        << QString::number(frameTime.median, 'f', 1)
        << " ms (the GUI thread's part of each frame: " << frameTime.count << " update events)\n";
    app.printCosts(out);
    printAttribution(out, longGaps, threshold);
    return status == 0 && buildOk ? 0 : 1;
}
