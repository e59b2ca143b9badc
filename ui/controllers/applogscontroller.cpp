#include "controllers/applogscontroller.h"

#include "deploy/applogs.h"
#include "history/history.h"
#include "models/eventpump.h"
#include "models/layermodel.h"
#include "models/logfiltermodel.h"
#include "models/logmodel.h"
#include "util/paths.h"
#include "workerpriority.h"

#include <QThread>

using namespace slipway;

AppLogsController::AppLogsController(const QString &dataDir, QObject *parent)
    : QObject(parent)
    , m_dataDir(dataDir)
    , m_queue(std::make_shared<EventQueue>())
    , m_log(new LogModel(this))
    , m_filter(new LogFilterModel(this))
    , m_pump(new EventPump(m_queue.get(), this))
{
    m_pump->setLogModel(m_log);
    m_filter->setLog(m_log);
    connect(m_filter, &LogFilterModel::viewModelChanged, this, &AppLogsController::logViewModelChanged);
}

AppLogsController::~AppLogsController()
{
    m_stop.request_stop();
    for (const QPointer<QThread> &worker : std::as_const(m_workers))
        if (worker) {
            worker->wait();
            delete worker.data();
        }
}

QAbstractItemModel *AppLogsController::logViewModel() const
{
    return m_filter->viewModel();
}

QString AppLogsController::logText(int first, int last) const
{
    return m_filter->viewText(first, last);
}

void AppLogsController::follow(const QString &app, const QStringList &targets, int tail)
{
    stop();
    m_stop = std::stop_source();
    m_pump->flush(); // what the stopped workers posted goes before the clear
    m_log->clear();
    m_app = app;
    m_targets = targets;
    m_error.clear();
    Q_EMIT errorChanged();
    m_running = int(targets.size());
    for (const QString &name : targets) {
        const std::stop_token stop = m_stop.get_token();
        const std::shared_ptr<EventQueue> queue = m_queue;
        auto error = std::make_shared<QString>();
        QThread *worker = QThread::create([dataDir = m_dataDir, name, app, tail, stop, queue, error] {
            lowerThisThreadsPriority(); // a chatty app's lines never take the window's CPU
            auto history = History::open(History::defaultPath(DataDirs::resolve(dataDir).data));
            auto target = history ? history.value()->target(name) : Result<Target>(history.error());
            if (!target) {
                *error = target.error().message;
                return;
            }
            AppLogOptions options;
            options.follow = true;
            options.tail = tail;
            Status followed = followAppLogs(
                target.value(), app, options,
                [&](const AppLogLine &line) {
                    if (stop.stop_requested())
                        return; // a line of a follow the window has left
                    queue->post(
                        LogEvent{.time = line.time.isValid() ? line.time : QDateTime::currentDateTimeUtc(),
                                 .level = line.stream == 2 ? LogLevel::Warning : LogLevel::Info,
                                 .stage = QStringLiteral("app"),
                                 .target = line.target,
                                 .text = line.text});
                },
                stop);
            if (!followed && followed.error().kind != Error::Kind::Cancelled)
                *error = followed.error().message;
        });
        // Queued to this thread; gone with this object if it goes first.
        connect(worker, &QThread::finished, this, [this, worker, error, stop] {
            m_workers.removeAll(worker);
            worker->deleteLater();
            if (!stop.stop_requested())
                workerEnded(*error);
        });
        m_workers.append(worker);
        worker->start();
    }
    Q_EMIT followingChanged();
}

void AppLogsController::stop()
{
    m_stop.request_stop();
    if (m_running == 0)
        return;
    m_running = 0;
    Q_EMIT followingChanged();
}

void AppLogsController::workerEnded(const QString &error)
{
    if (!error.isEmpty()) {
        m_error = m_error.isEmpty() ? error : m_error + u'\n' + error;
        Q_EMIT errorChanged();
    }
    if (m_running > 0 && --m_running == 0)
        Q_EMIT followingChanged();
}
