#pragma once

#include "controllers/pipelinestages.h"
#include "events/event.h"

#include <QAbstractItemModel>
#include <QElapsedTimer>
#include <QMap>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

#include <functional>
#include <stop_token>
#include <thread>

class AppSettings;
class EventPump;
class LayerModel;
class LogFilterModel;
class LogModel;
class RefModel;

namespace slipway {
struct BuildOutput;
struct BuildRequest;
struct DeploymentSettings;
} // namespace slipway

// The Deploy page's engine room, and what History's Redeploy and Rollback run. Each run goes on
// one worker thread; the worker posts events to the pump's queue, and the pump feeds the log and
// layer models (and the per-target states) on this thread. The results arrive as plain values
// when the run ends. cancel() stops the worker through its stop_token.
//  - build(): buildImage of project at ref, then an OCI layout under DATA/layouts/ that
//    `slipway-cli push --oci-layout` takes.
//  - deploy(): the build, pushed to `image` when set (else loaded into each engine), recorded as
//    a release and rolled out to the selected targets behind their health checks, with a
//    deployment per target in the history: what `slipway-cli deploy` does.
//  - redeploy() / rollback(): a recorded release rolled out again, as `slipway-cli rollback`.
//  - repair(): puts back what interrupted deployments left half-done, as `slipway-cli repair`.
// Not final: QML_ELEMENT derives from it.
class DeployController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("made in main()")
    Q_MOC_INCLUDE("models/layermodel.h")
    Q_MOC_INCLUDE("models/logfiltermodel.h")
    Q_MOC_INCLUDE("models/logmodel.h")
    Q_MOC_INCLUDE("models/refmodel.h")
    Q_PROPERTY(QString project READ project WRITE setProject NOTIFY projectChanged)
    Q_PROPERTY(QString ref READ ref WRITE setRef NOTIFY refChanged)
    Q_PROPERTY(bool busy READ isBusy NOTIFY busyChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    Q_PROPERTY(QString status READ status NOTIFY statusChanged) // "", "done", "failed", "cancelled"
    Q_PROPERTY(QVariantList stages READ stages NOTIFY stagesChanged)
    Q_PROPERTY(QString manifestDigest READ manifestDigest NOTIFY resultChanged)
    Q_PROPERTY(QString layoutPath READ layoutPath NOTIFY resultChanged)
    Q_PROPERTY(QString commit READ commit NOTIFY resultChanged)
    Q_PROPERTY(QVariantList builtLayers READ builtLayers NOTIFY resultChanged)
    Q_PROPERTY(QStringList targets READ targets NOTIFY targetsChanged)
    // The targets Deploy goes to: a subset of targets.
    Q_PROPERTY(
        QStringList selectedTargets READ selectedTargets WRITE setSelectedTargets NOTIFY targetsChanged)
    // Where Deploy pushes the image ("registry/repository:tag"); empty: straight into each engine.
    Q_PROPERTY(QString image READ image WRITE setImage NOTIFY imageChanged)
    // The project's [env.NAME] tables at its ref (read off this thread), and the one a deploy
    // uses ("": none). Picking one selects its targets.
    Q_PROPERTY(QStringList environments READ environments NOTIFY environmentsChanged)
    Q_PROPERTY(QString environment READ environment WRITE setEnvironment NOTIFY environmentChanged)
    Q_PROPERTY(bool canDeploy READ canDeploy NOTIFY targetsChanged)
    Q_PROPERTY(QString deployHint READ deployHint NOTIFY targetsChanged)
    // "build", "deploy", "redeploy", "rollback" or "repair": what the current or last run is.
    Q_PROPERTY(QString runKind READ runKind NOTIFY runKindChanged)
    // What a rollback previewRollback() asked about would change besides the image: the secrets
    // whose value changed since the release it goes back to (or why it cannot run); empty when
    // nothing, or while it is being read.
    Q_PROPERTY(QString rollbackNote READ rollbackNote NOTIFY rollbackNoteChanged)
    // The last run's result in one line ("Release 12 is healthy on web and local.").
    Q_PROPERTY(QString summary READ summary NOTIFY resultChanged)
    // Of a deploy, redeploy or rollback: the release id, and each target's state as
    // {name, state ("pending", "pulling", "starting", "waiting", "healthy", "failed",
    // "cancelled"), detail, and once healthy after a registry-less transfer: transfer
    // ("image: sent 869 B of 1.0 MB")}.
    Q_PROPERTY(qint64 releaseId READ releaseId NOTIFY resultChanged)
    Q_PROPERTY(QVariantList targetStates READ targetStates NOTIFY targetStatesChanged)
    Q_PROPERTY(LogModel *logModel READ logModel CONSTANT)
    Q_PROPERTY(LogFilterModel *logFilter READ logFilter CONSTANT)
    // What the log view shows: the log itself while no filter is set, else logFilter.
    Q_PROPERTY(QAbstractItemModel *logViewModel READ logViewModel NOTIFY logViewModelChanged)
    Q_PROPERTY(LayerModel *layerModel READ layerModel CONSTANT)
    Q_PROPERTY(RefModel *refModel READ refModel CONSTANT)

public:
    // dataDir: as --data-dir (empty: $SLIPWAY_HOME or the XDG directories). settings: where
    // compression, jobs and the cache location come from; null: the defaults.
    explicit DeployController(const QString &dataDir, AppSettings *settings = nullptr,
                              QObject *parent = nullptr);
    ~DeployController() override;

    QString project() const { return m_project; }
    void setProject(const QString &project);
    QString ref() const { return m_ref; }
    void setRef(const QString &ref);
    bool isBusy() const { return m_busy; }
    QString error() const { return m_error; }
    QString status() const { return m_status; }
    QVariantList stages() const;
    QString manifestDigest() const { return m_manifestDigest; }
    QString layoutPath() const { return m_layoutPath; }
    QString commit() const { return m_commit; }
    QVariantList builtLayers() const { return m_builtLayers; }
    QStringList targets() const { return m_targets; }
    QStringList selectedTargets() const { return m_selectedTargets; }
    void setSelectedTargets(const QStringList &targets);
    QString image() const { return m_image; }
    void setImage(const QString &image);
    bool canDeploy() const { return !m_selectedTargets.isEmpty(); }
    QStringList environments() const { return m_environments.keys(); }
    QString environment() const { return m_environment; }
    void setEnvironment(const QString &environment);
    QString deployHint() const;
    QString runKind() const { return m_runKind; }
    QString summary() const { return m_summary; }
    qint64 releaseId() const { return m_releaseId; }
    QVariantList targetStates() const { return m_targetStates; }

    LogModel *logModel() const { return m_log; }
    LogFilterModel *logFilter() const { return m_filter; }
    QAbstractItemModel *logViewModel() const;
    // The display text of rows first..last of logViewModel, for the clipboard.
    Q_INVOKABLE QString logText(int first, int last) const;
    LayerModel *layerModel() const { return m_layers; }
    RefModel *refModel() const { return m_refs; }
    EventPump *pump() const { return m_pump; }
    // Where workers post; a benchmark posts its flood here too.
    slipway::EventQueue *eventQueue() const;
    QString cacheDir() const;
    QString layoutsDir() const;

    // Starts a build of project at ref; false (and error set) if one runs or no project is set.
    Q_INVOKABLE bool build();
    // Builds, pushes or loads, records and rolls out to the selected targets; false (and error
    // set) if a run is going, no project is set or no target is selected.
    Q_INVOKABLE bool deploy();
    // Rolls recorded release `releaseId` out to `target` again.
    Q_INVOKABLE bool redeploy(qint64 releaseId, const QString &target);
    // Rolls `app` on `target` back to release `releaseId`, or with 0 to its release before the current
    // one there; an empty app is the target's only one.
    Q_INVOKABLE bool rollback(const QString &target, const QString &app = QString(), qint64 releaseId = 0);
    // Repairs the interrupted deployments to `target` (empty: to every target) that are not
    // repaired yet: their targets are put back as the history has them.
    Q_INVOKABLE bool repair(const QString &target = {});
    // Asks the running run to stop; it ends within a second with status "cancelled".
    Q_INVOKABLE void cancel();
    // Reads, off this thread, what rollback(target, app) would go back to and which of its
    // secrets changed since (changedSecrets): into rollbackNote, for the confirmation.
    Q_INVOKABLE void previewRollback(const QString &target, const QString &app);
    QString rollbackNote() const { return m_rollbackNote; }
    // Lists the project's refs into refModel (off this thread).
    Q_INVOKABLE void reloadRefs();
    // Reads the environments of the project's slipway.toml at its ref (off this thread).
    Q_INVOKABLE void reloadEnvironments();
    // Reads the target names from the history database (off this thread).
    Q_INVOKABLE void reloadTargets();

    struct Outcome; // what a run's worker hands back

    // Why a build's layout is named as it is: "hello" for /src/hello or https://x/hello.git.
    static QString projectName(const QString &location);

Q_SIGNALS:
    void projectChanged();
    void refChanged();
    void busyChanged();
    void errorChanged();
    void statusChanged();
    void stagesChanged();
    void resultChanged();
    void targetsChanged();
    void imageChanged();
    void environmentsChanged();
    void environmentChanged();
    void runKindChanged();
    void rollbackNoteChanged();
    void targetStatesChanged();
    void logViewModelChanged();
    void finished(bool ok);

private:
    // Project, ref and the settings, for build() and deploy(); the worker sets the stop token.
    slipway::BuildRequest buildRequest() const;
    // The data dir, cache and event queue a deployment works with; the worker sets the stop token.
    slipway::DeploymentSettings deploymentSettings() const;
    // Resets the models and stages and starts `work` on the worker thread.
    bool start(const QString &kind, std::function<Outcome(std::stop_token)> work);
    void onTarget(const QString &target, int state, const QString &detail);
    void onImageTransferred(const QString &target, qint64 sent, qint64 total);
    void onReplicas(const QString &target, const QVariantList &replicas);
    void onStage(int stage, int state, qint64 elapsedMs);
    void onFinished(const Outcome &outcome);
    void setBusy(bool busy);
    void setError(const QString &error);
    void setStatus(const QString &status);
    void setEnvironments(const QMap<QString, QStringList> &environments);

    QString m_dataDir;
    AppSettings *m_settings = nullptr;
    QString m_project;
    QString m_ref;
    bool m_busy = false;
    QString m_error;
    QString m_status;
    PipelineStages m_stages;
    QTimer m_tick; // while busy: running stages' elapsed time moves
    QString m_manifestDigest;
    QString m_layoutPath;
    QString m_commit;
    QVariantList m_builtLayers;
    QStringList m_targets;
    QStringList m_selectedTargets;
    QString m_image;
    QMap<QString, QStringList> m_environments; // name -> its targets
    QString m_environment;
    quint64 m_environmentsGeneration = 0; // a project or ref newer than a read in flight wins
    std::stop_source m_environmentsRead;  // the read in flight
    QString m_rollbackNote;
    quint64 m_rollbackPreviews = 0; // the newest previewRollback() is the one shown
    QString m_runKind;
    QString m_summary;
    qint64 m_releaseId = 0;
    QVariantList m_targetStates;

    LogModel *m_log = nullptr;
    LogFilterModel *m_filter = nullptr;
    LayerModel *m_layers = nullptr;
    RefModel *m_refs = nullptr;
    EventPump *m_pump = nullptr;

    std::stop_source m_stop;
    std::jthread m_worker; // joined in the destructor, before the queue it posts to goes
};
