#include "models/appmodel.h"

#include "history/history.h"
#include "workerpriority.h"

#include "models/whendone.h"

#include <QSet>
#include <QThread>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

using slipway::AppStats;
using slipway::AppStatus;
using slipway::History;
using slipway::Target;
using slipway::TargetApps;

namespace {

struct LoadedTargets
{
    QList<Target> targets;
    QString error;
};

LoadedTargets loadTargets(const QString &path)
{
    auto history = History::open(path);
    if (!history)
        return {{}, history.error().message};
    auto targets = history.value()->targets();
    if (!targets)
        return {{}, targets.error().message};
    return {targets.value(), {}};
}

QString pastTense(slipway::OperationAction action)
{
    switch (action) {
    case slipway::OperationAction::Stop:
        return AppModel::tr("stopped");
    case slipway::OperationAction::Start:
        return AppModel::tr("started");
    case slipway::OperationAction::Restart:
        return AppModel::tr("restarted");
    case slipway::OperationAction::Remove:
        return AppModel::tr("removed");
    case slipway::OperationAction::Maintenance:
        return AppModel::tr("put in maintenance");
    case slipway::OperationAction::Live:
        return AppModel::tr("made live again");
    }
    return {};
}

} // namespace

AppModel::AppModel(const QString &historyPath, QObject *parent)
    : PoolListModel(parent)
    , m_historyPath(historyPath)
{}

AppModel::~AppModel()
{
    m_stop.request_stop();
    for (Follower &follower : m_followers)
        follower.stop.request_stop();
    for (Follower &follower : m_followers)
        m_retired.append(follower.thread);
    for (const QPointer<QThread> &thread : std::as_const(m_retired))
        if (thread) {
            thread->wait();
            delete thread.data();
        }
}

QVariant AppModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const Row &row = m_rows.at(index.row());
    const AppStatus &status = row.status;
    const slipway::AppContainer *serving = status.serving();
    switch (role) {
    case Qt::DisplayRole:
    case AppRole:
        return status.app;
    case TargetRole:
        return status.target;
    case StateRole:
        return row.reachable ? status.state() : QStringLiteral("unreachable");
    case HealthRole:
        return serving ? serving->health : QString();
    case ReleaseRole:
        if (serving)
            return serving->release;
        return status.recorded ? QString::number(status.recorded->release.id) : QString();
    case CommitRole:
        return status.recorded ? status.recorded->release.commit.left(12) : QString();
    case MessageRole:
        return status.recorded ? status.recorded->release.message : QString();
    case DigestRole:
        return status.recorded ? status.recorded->release.digest : QString();
    case StartedRole:
        return serving ? serving->started : QDateTime();
    case RestartsRole:
        return serving ? serving->restarts : 0;
    case DriftRole:
        return status.drift;
    case ReachableRole:
        return row.reachable;
    case ErrorRole:
        return row.error;
    case CpuRole:
        return serving ? row.stats.cpuPercent : -1.0;
    case MemoryRole:
        return serving ? row.stats.memoryUsed : 0;
    case MemoryLimitRole:
        return serving ? row.stats.memoryLimit : 0;
    case OperatingRole:
        return row.operating;
    case LastOperationRole: {
        if (!status.recorded || !status.recorded->operation)
            return QString();
        const slipway::OperationRecord &operation = *status.recorded->operation;
        return tr("%1 by %2 at %3")
            .arg(pastTense(operation.action), operation.user,
                 operation.finished.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm")));
    }
    case ContainerRole:
        return serving ? serving->name : QString();
    case ProxiedRole:
        return row.reachable && status.proxied;
    case MaintenanceRole:
        return row.reachable && status.maintenance;
    case ReplicasRole: {
        if (!status.service || !row.reachable)
            return QString();
        QStringList tasks;
        for (const slipway::AppContainer &task : status.containers)
            tasks.append(task.running() ? tr("%1 on %2").arg(task.name, task.node)
                                        : tr("%1 on %2 (%3)").arg(task.name, task.node, task.state));
        const QString count =
            tr("Swarm service, %1 of %n replica(s) running", "", int(status.service->replicas))
                .arg(status.runningReplicas());
        return tasks.isEmpty() ? count : tr("%1: %2").arg(count, tasks.join(QStringLiteral(", ")));
    }
    default:
        return {};
    }
}

QHash<int, QByteArray> AppModel::roleNames() const
{
    return {{AppRole, "app"},
            {TargetRole, "target"},
            {StateRole, "state"},
            {HealthRole, "health"},
            {ReleaseRole, "release"},
            {CommitRole, "commit"},
            {MessageRole, "message"},
            {DigestRole, "digest"},
            {StartedRole, "started"},
            {RestartsRole, "restarts"},
            {DriftRole, "drift"},
            {ReachableRole, "reachable"},
            {ErrorRole, "targetError"},
            {CpuRole, "cpu"},
            {MemoryRole, "memory"},
            {MemoryLimitRole, "memoryLimit"},
            {OperatingRole, "operating"},
            {LastOperationRole, "lastOperation"},
            {ContainerRole, "container"},
            {ProxiedRole, "proxied"},
            {MaintenanceRole, "maintenance"},
            {ReplicasRole, "replicas"}};
}

QStringList AppModel::unreachableTargets() const
{
    return m_unreachable;
}

int AppModel::indexOf(const QString &app, const QString &target) const
{
    for (int i = 0; i < m_rows.size(); ++i)
        if (m_rows.at(i).status.app == app && m_rows.at(i).status.target == target)
            return i;
    return -1;
}

void AppModel::refresh()
{
    const quint64 generation = ++m_generation;
    begin();
    whenDone(
        this, QtConcurrent::run(loadTargets, m_historyPath), [this, generation](const LoadedTargets &loaded) {
            end();
            if (generation != m_generation)
                return; // a newer refresh is on its way
            setError(loaded.error);
            // Rows and marks of targets that are gone go with them.
            QSet<QString> names;
            for (const Target &target : loaded.targets)
                names.insert(target.name);
            QList<Row> kept;
            for (const Row &row : std::as_const(m_rows))
                if (names.contains(row.status.target))
                    kept.append(row);
            if (kept.size() != m_rows.size())
                resetRows(m_rows, kept);
            m_unreachable.erase(std::remove_if(m_unreachable.begin(), m_unreachable.end(),
                                               [&](const QString &name) { return !names.contains(name); }),
                                m_unreachable.end());
            for (const Target &target : loaded.targets) {
                begin();
                whenDone(this,
                         QtConcurrent::run(slipway::appsOnTarget, m_historyPath, target, m_stop.get_token()),
                         [this, generation](const TargetApps &apps) {
                             end();
                             if (generation != m_generation)
                                 return;
                             replaceTarget(apps);
                         });
            }
            if (loaded.targets.isEmpty())
                Q_EMIT refreshed();
        });
}

void AppModel::replaceTarget(const TargetApps &apps)
{
    const QString name = apps.target.name;
    QList<Row> rows;
    for (const Row &row : std::as_const(m_rows))
        if (row.status.target != name)
            rows.append(row);
    for (const AppStatus &status : apps.apps) {
        Row row;
        row.status = status;
        row.reachable = apps.error.isEmpty();
        row.error = apps.error;
        // Keep the last reading of a container that still serves, until the next one comes, and
        // an operation on its way.
        if (const int old = indexOf(status.app, name); old >= 0) {
            row.operating = m_rows.at(old).operating;
            const slipway::AppContainer *before = m_rows.at(old).status.serving();
            const slipway::AppContainer *now = status.serving();
            if (before && now && before->id == now->id)
                row.stats = m_rows.at(old).stats;
        }
        rows.append(row);
    }
    std::stable_sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
        return std::pair(a.status.app, a.status.target) < std::pair(b.status.app, b.status.target);
    });
    // Mostly the same rows (the refresh every few seconds): changed in place.
    replaceRows(m_rows, rows, [](const Row &a, const Row &b) {
        return a.status.app == b.status.app && a.status.target == b.status.target;
    });
    m_unreachable.removeAll(name);
    if (!apps.error.isEmpty())
        m_unreachable.append(name);
    m_unreachable.sort();
    if (m_statsActive)
        followStats();
    Q_EMIT refreshed();
}

void AppModel::operate(int row, const QString &action)
{
    const auto parsed = slipway::operationActionFromName(action);
    if (row < 0 || row >= count() || !parsed || m_rows.at(row).operating)
        return;
    const QString app = m_rows.at(row).status.app;
    const QString targetName = m_rows.at(row).status.target;
    m_rows[row].operating = true;
    Q_EMIT dataChanged(index(row), index(row), {OperatingRole});
    begin();
    // The same steps as slipway-cli app ACTION: core's operateApp, recorded in the history.
    whenDone(this,
             QtConcurrent::run([path = m_historyPath, app, targetName, action = *parsed,
                                stop = m_stop.get_token()]() -> std::pair<bool, QString> {
                 auto history = History::open(path);
                 if (!history)
                     return {false, history.error().message};
                 auto target = history.value()->target(targetName);
                 if (!target)
                     return {false, target.error().message};
                 slipway::OperationOptions options;
                 options.stop = stop;
                 auto done = slipway::operateApp(*history.value(), target.value(), app, action, options);
                 if (!done)
                     return {false, done.error().message};
                 return {true, tr("%1 on %2: %3").arg(app, targetName, done->detail)};
             }),
             [this, app, targetName](const std::pair<bool, QString> &outcome) {
                 end();
                 if (const int at = indexOf(app, targetName); at >= 0) {
                     m_rows[at].operating = false;
                     Q_EMIT dataChanged(index(at), index(at), {OperatingRole});
                 }
                 setError(outcome.first ? QString() : outcome.second);
                 Q_EMIT operated(outcome.first, outcome.second);
                 refresh();
             });
}

void AppModel::setStatsActive(bool active)
{
    if (active == m_statsActive)
        return;
    m_statsActive = active;
    followStats();
    Q_EMIT statsActiveChanged();
}

void AppModel::followStats()
{
    // The serving containers to follow now: none while inactive.
    QHash<QString, Target> wanted;
    if (m_statsActive) {
        for (const Row &row : std::as_const(m_rows)) {
            const slipway::AppContainer *serving = row.status.serving();
            if (row.reachable && serving) {
                Target target;
                target.name = row.status.target;
                wanted.insert(serving->id, target);
            }
        }
    }
    for (auto it = m_followers.begin(); it != m_followers.end();) {
        if (wanted.contains(it.key())) {
            ++it;
            continue;
        }
        it->stop.request_stop(); // the thread deletes itself once it ends
        m_retired.removeAll(nullptr);
        m_retired.append(it->thread);
        it = m_followers.erase(it);
    }
    if (wanted.isEmpty())
        return;
    // The targets' endpoints, from the rows' target names: read on the worker with its own
    // History, as everything that touches the database.
    for (auto it = wanted.cbegin(); it != wanted.cend(); ++it) {
        if (m_followers.contains(it.key()))
            continue;
        Follower follower;
        const std::stop_token stop = follower.stop.get_token();
        QThread *thread = QThread::create([this, path = m_historyPath, name = it->name, id = it.key(), stop] {
            lowerThisThreadsPriority();
            auto history = History::open(path);
            auto target = history ? history.value()->target(name) : slipway::Result<Target>(history.error());
            if (!target)
                return;
            history.value().reset();
            (void)slipway::followAppStats(
                target.value(), id,
                [this, id, stop](const AppStats &stats) {
                    if (stop.stop_requested())
                        return;
                    // Queued to the model's thread; dropped with the model if it goes first.
                    QMetaObject::invokeMethod(
                        this, [this, id, stats] { applyStats(id, stats); }, Qt::QueuedConnection);
                },
                stop);
        });
        connect(thread, &QThread::finished, thread, &QObject::deleteLater);
        follower.thread = thread;
        m_followers.insert(it.key(), follower);
        thread->start();
    }
}

void AppModel::applyStats(const QString &containerId, const AppStats &stats)
{
    if (!m_followers.contains(containerId))
        return; // a stream the page has left
    for (int i = 0; i < m_rows.size(); ++i) {
        const slipway::AppContainer *serving = m_rows.at(i).status.serving();
        if (serving && serving->id == containerId) {
            m_rows[i].stats = stats;
            Q_EMIT dataChanged(index(i), index(i), {CpuRole, MemoryRole, MemoryLimitRole});
        }
    }
}
