#pragma once

#include "models/poollistmodel.h"

#include "deploy/apps.h"

#include <QHash>
#include <QList>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QtQml/qqmlregistration.h>

#include <stop_token>

class QThread;

// The Apps page: every app Slipway deployed, one row per app and target, as core's
// appsOnTarget sees it (what the engine runs beside what the history says, drift included),
// the same sequence as `slipway-cli app list`; an app that is a Swarm service says its replicas
// and the node of each (ReplicasRole). Each target is read by a pool task of its own
// with its own History, and its rows are replaced when it answers: a slow or unreachable
// target holds up no other, and is marked (ReachableRole false, unreachableTargets) rather than
// waited on. While statsActive, a worker thread per serving container streams its CPU and
// memory into the row. Operations (stop, start, restart, remove, and maintenance and live of an
// app behind the target's proxy) run core's operateApp on a pool thread. Not final:
// QML_ELEMENT derives from it.
class AppModel : public PoolListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("made in main()")
    Q_PROPERTY(bool statsActive READ statsActive WRITE setStatsActive NOTIFY statsActiveChanged)
    Q_PROPERTY(QStringList unreachableTargets READ unreachableTargets NOTIFY refreshed)

public:
    enum Roles
    {
        AppRole = Qt::UserRole + 1,
        TargetRole,
        StateRole,    // AppStatus::state(): "running", "stopped", "unhealthy", "missing", ...
        HealthRole,   // of the serving container: "healthy", "unhealthy", "starting", or empty
        ReleaseRole,  // the release id that runs (else the one the history has), as text
        CommitRole,   // of the history's release, 12 digits
        MessageRole,  // its commit's summary line
        DigestRole,   // its image digest
        StartedRole,  // QDateTime the serving container started; invalid when none
        RestartsRole, // of the serving container
        DriftRole,    // one line, or empty: what runs is what the history says
        ReachableRole,
        ErrorRole,         // the target's error when it could not be reached
        CpuRole,           // percent of one core; -1: not known (stats off, or not yet)
        MemoryRole,        // bytes
        MemoryLimitRole,   // bytes
        OperatingRole,     // an operation on the row is on its way
        LastOperationRole, // "stopped by ana at 2026-12-04 10:02", or empty
        ContainerRole,     // the serving container's name, or empty
        ProxiedRole,       // the target's running proxy routes it: maintenance and live apply
        MaintenanceRole,   // the proxy answers its requests with 503 and a maintenance page
        // A Swarm service's replicas: "Swarm service, 2 of 2 replicas running: web.1 on node-a,
        // web.2 on node-b"; empty for an app of containers.
        ReplicasRole,
    };
    Q_ENUM(Roles)

    struct Row
    {
        slipway::AppStatus status;
        bool reachable = true;
        QString error;
        slipway::AppStats stats;
        bool operating = false;
    };

    explicit AppModel(const QString &historyPath, QObject *parent = nullptr);
    ~AppModel() override; // stops the stats workers and waits for them: only at shutdown

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;
    int count() const override { return int(m_rows.size()); }

    bool statsActive() const { return m_statsActive; }
    // On: streams the stats of every serving container, and of those later refreshes find; off:
    // stops every stream (without waiting).
    void setStatsActive(bool active);
    QStringList unreachableTargets() const;

    // Reads the targets, then each target's apps, off this thread.
    Q_INVOKABLE void refresh();
    // Runs "stop", "start", "restart", "remove", "maintenance" or "live" on the row's app on its
    // target; operated() answers, then the target is read again.
    Q_INVOKABLE void operate(int row, const QString &action);
    Q_INVOKABLE int indexOf(const QString &app, const QString &target) const;

Q_SIGNALS:
    void refreshed(); // a target answered
    void operated(bool ok, const QString &message);
    void statsActiveChanged();

private:
    void replaceTarget(const slipway::TargetApps &apps);
    void followStats();
    void applyStats(const QString &containerId, const slipway::AppStats &stats);

    QString m_historyPath;
    QList<Row> m_rows;
    QStringList m_unreachable;
    quint64 m_generation = 0;
    std::stop_source m_stop; // the model's end stops the reads in flight
    bool m_statsActive = false;
    struct Follower
    {
        std::stop_source stop;
        QPointer<QThread> thread;
    };
    QHash<QString, Follower> m_followers; // by container id
    QList<QPointer<QThread>> m_retired;   // stopped, perhaps not ended yet: waited for at the end
};
