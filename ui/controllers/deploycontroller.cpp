#include "controllers/deploycontroller.h"

#include "controllers/appsettings.h"
#include "deploy/deployment.h"
#include "history/history.h"
#include "imagebuilder/imagebuilder.h"
#include "models/eventpump.h"
#include "models/layermodel.h"
#include "models/logfiltermodel.h"
#include "models/logmodel.h"
#include "models/refmodel.h"
#include "models/whendone.h"
#include "oci/ocilayout.h"
#include "registry/imagereference.h"
#include "store/contentstore.h"
#include "util/paths.h"
#include "workerpriority.h"

#include <QLocale>

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QVariantMap>
#include <QtConcurrent/QtConcurrentRun>

using namespace slipway;

struct DeployController::Outcome
{
    bool ok = false;
    bool cancelled = false;
    QString error;
    QString manifestDigest;
    QString layoutPath;
    QString commit;
    QVariantList layers;
    qint64 releaseId = 0;
    QString summary;
    QVariantMap addresses; // target -> where its app answers
};

namespace {

QString targetStateName(TargetState state)
{
    switch (state) {
    case TargetState::Pending:
        return QStringLiteral("pending");
    case TargetState::Pulling:
        return QStringLiteral("pulling");
    case TargetState::Starting:
        return QStringLiteral("starting");
    case TargetState::WaitingHealthy:
        return QStringLiteral("waiting");
    case TargetState::Healthy:
        return QStringLiteral("healthy");
    case TargetState::Failed:
        return QStringLiteral("failed");
    case TargetState::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

// "Release 12 is healthy on web and local." / "Release 12 failed on web: …"
QString rolloutSummary(const ReleaseRecord &release, const ReleaseRollout &rolled)
{
    QStringList healthy;
    QStringList failed;
    for (const TargetOutcome &outcome : rolled.result.targets) {
        if (outcome.healthy)
            healthy.append(outcome.target);
        else if (!outcome.skipped)
            failed.append(outcome.error.isEmpty() ? outcome.target : outcome.error);
    }
    const QLocale locale;
    if (failed.isEmpty())
        return DeployController::tr("Release %1 (%2) is healthy on %3.")
            .arg(release.id)
            .arg(release.commit.isEmpty() ? release.digest.mid(7, 12) : release.commit.left(7),
                 locale.createSeparatedList(healthy));
    QString text =
        DeployController::tr("Release %1 failed: %2").arg(release.id).arg(failed.join(QStringLiteral("; ")));
    if (!healthy.isEmpty())
        text += u' ' + DeployController::tr("Healthy on %1.").arg(locale.createSeparatedList(healthy));
    return text;
}

QVariantList layerValues(const BuildOutput &built)
{
    QVariantList layers;
    for (const BuiltLayer &layer : built.layers)
        layers.append(layer.toJson().toVariantMap());
    return layers;
}

} // namespace

DeployController::DeployController(const QString &dataDir, AppSettings *settings, QObject *parent)
    : QObject(parent)
    , m_dataDir(dataDir)
    , m_settings(settings)
    , m_log(new LogModel(this))
    , m_filter(new LogFilterModel(this))
    , m_layers(new LayerModel(this))
    , m_refs(new RefModel(this))
    , m_pump(new EventPump(this))
{
    m_filter->setLog(m_log);
    connect(m_filter, &LogFilterModel::viewModelChanged, this, &DeployController::logViewModelChanged);
    m_pump->setLogModel(m_log);
    m_pump->setLayerModel(m_layers);
    connect(m_pump, &EventPump::stageChanged, this, &DeployController::onStage);
    connect(m_pump, &EventPump::targetChanged, this, &DeployController::onTarget);
    connect(m_pump, &EventPump::imageTransferred, this, &DeployController::onImageTransferred);
    connect(m_pump, &EventPump::replicasChanged, this, &DeployController::onReplicas);
    // A fresh project builds its default branch unless the user picks another ref.
    connect(m_refs, &RefModel::loaded, this, [this] {
        if (m_ref.isEmpty() && m_refs->count() > 0)
            setRef(m_refs->nameAt(0));
    });
    reloadTargets();
    m_tick.setInterval(100);
    connect(&m_tick, &QTimer::timeout, this, &DeployController::stagesChanged);
}

DeployController::~DeployController()
{
    m_environmentsRead.request_stop();
    m_stop.request_stop();
    if (m_worker.joinable())
        m_worker.join();
}

void DeployController::setProject(const QString &project)
{
    const QString trimmed = project.trimmed();
    if (trimmed == m_project)
        return;
    m_project = trimmed;
    Q_EMIT projectChanged();
    setEnvironments({}); // another project's environment never goes with this one
    const bool refChanges = !m_ref.isEmpty();
    setRef({}); // a changed ref reads the environments again
    reloadRefs();
    if (!refChanges)
        reloadEnvironments();
}

void DeployController::setRef(const QString &ref)
{
    if (ref == m_ref)
        return;
    m_ref = ref;
    Q_EMIT refChanged();
    reloadEnvironments();
}

void DeployController::setEnvironment(const QString &environment)
{
    if (environment == m_environment || (!environment.isEmpty() && !m_environments.contains(environment)))
        return;
    m_environment = environment;
    Q_EMIT environmentChanged();
    if (const QStringList targets = m_environments.value(environment); !targets.isEmpty())
        setSelectedTargets(targets);
}

void DeployController::setEnvironments(const QMap<QString, QStringList> &environments)
{
    if (environments != m_environments) {
        m_environments = environments;
        Q_EMIT environmentsChanged();
    }
    if (!m_environments.contains(m_environment))
        setEnvironment({});
}

void DeployController::previewRollback(const QString &target, const QString &app)
{
    const quint64 generation = ++m_rollbackPreviews;
    if (!m_rollbackNote.isEmpty()) {
        m_rollbackNote.clear();
        Q_EMIT rollbackNoteChanged();
    }
    whenDone(this,
             QtConcurrent::run([dataDir = m_dataDir, target, app, stop = m_stop.get_token()]() -> QString {
                 auto history = History::open(History::defaultPath(DataDirs::resolve(dataDir).data));
                 if (!history)
                     return {};
                 auto release = rollbackRelease(*history.value(), target, app);
                 if (!release)
                     return {}; // the rollback itself says why
                 auto changed = changedSecrets(release.value(), dataDir, stop);
                 if (!changed)
                     return changed.error().message;
                 if (changed->isEmpty())
                     return {};
                 return tr("Since release %1, %2 changed: the containers get the values set now.")
                     .arg(release->id)
                     .arg(changed->join(QStringLiteral(", ")));
             }),
             [this, generation](const QString &note) {
                 if (generation != m_rollbackPreviews || note == m_rollbackNote)
                     return;
                 m_rollbackNote = note;
                 Q_EMIT rollbackNoteChanged();
             });
}

void DeployController::reloadEnvironments()
{
    const quint64 generation = ++m_environmentsGeneration;
    // A read of an earlier project or ref is not waited for: it stops where it is.
    m_environmentsRead.request_stop();
    m_environmentsRead = std::stop_source();
    if (m_project.isEmpty()) {
        setEnvironments({});
        return;
    }
    SourceOptions source = buildRequest().source;
    source.events = nullptr; // a read, not a run: nothing for the log
    source.stop = m_environmentsRead.get_token();
    whenDone(this, QtConcurrent::run([source] {
                 QMap<QString, QStringList> environments;
                 // A project that cannot be read, or has no slipway.toml, has none; a build says why.
                 if (auto spec = readSpec(source))
                     for (const EnvironmentSpec &environment : spec->environments)
                         environments.insert(environment.name, environment.targets);
                 return environments;
             }),
             [this, generation](const QMap<QString, QStringList> &environments) {
                 if (generation == m_environmentsGeneration)
                     setEnvironments(environments);
             });
}

QVariantList DeployController::stages() const
{
    return m_stages.values();
}

QString DeployController::deployHint() const
{
    if (m_targets.isEmpty())
        return tr("Deploying needs a target: add one on the Targets page. Build works now.");
    if (m_selectedTargets.isEmpty())
        return tr("Pick the targets to deploy to.");
    return {};
}

void DeployController::setSelectedTargets(const QStringList &targets)
{
    QStringList known;
    for (const QString &name : targets)
        if (m_targets.contains(name) && !known.contains(name))
            known.append(name);
    if (known == m_selectedTargets)
        return;
    m_selectedTargets = known;
    Q_EMIT targetsChanged();
}

void DeployController::setImage(const QString &image)
{
    const QString trimmed = image.trimmed();
    if (trimmed == m_image)
        return;
    m_image = trimmed;
    Q_EMIT imageChanged();
}

void DeployController::reloadTargets()
{
    const QString path = History::defaultPath(DataDirs::resolve(m_dataDir).data);
    whenDone(this, QtConcurrent::run([path] {
                 QStringList names;
                 // No database yet means no targets; opening it would create one, which is the CLI's job.
                 if (!QFileInfo::exists(path))
                     return names;
                 auto history = History::open(path);
                 if (!history)
                     return names;
                 auto targets = history.value()->targets();
                 if (targets)
                     for (const Target &target : targets.value())
                         names.append(target.name);
                 return names;
             }),
             [this](const QStringList &names) {
                 if (names == m_targets)
                     return;
                 m_targets = names;
                 QStringList selected;
                 for (const QString &name : std::as_const(m_selectedTargets))
                     if (names.contains(name))
                         selected.append(name);
                 // With one target there is nothing to pick.
                 if (selected.isEmpty() && names.size() == 1)
                     selected = names;
                 m_selectedTargets = selected;
                 Q_EMIT targetsChanged();
             });
}

QAbstractItemModel *DeployController::logViewModel() const
{
    return m_filter->viewModel();
}

QString DeployController::logText(int first, int last) const
{
    return m_filter->viewText(first, last);
}

EventQueue *DeployController::eventQueue() const
{
    return m_pump->queue();
}

QString DeployController::cacheDir() const
{
    return m_settings ? m_settings->cacheLocation() : DataDirs::resolve(m_dataDir).cache;
}

QString DeployController::layoutsDir() const
{
    return QDir(DataDirs::resolve(m_dataDir).data).filePath(QStringLiteral("layouts"));
}

QString DeployController::projectName(const QString &location)
{
    QString name = slipway::projectName(location);
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("-"));
    return name.isEmpty() || name.startsWith(u'.') ? QStringLiteral("project") : name;
}

BuildRequest DeployController::buildRequest() const
{
    BuildRequest request;
    request.source.location = m_project;
    request.source.ref = m_ref;
    request.source.cacheDir = cacheDir();
    request.source.events = m_pump->queue();
    if (m_settings) {
        request.compression = m_settings->buildCompression();
        request.jobs = m_settings->jobs();
    }
    request.sourceDateEpoch = sourceDateEpochFromEnvironment();
    // A Dockerfile is built by a target's engine ([build] engine, else the first picked target);
    // looked up on the worker, when the build finds it needs one.
    request.resolveEngine = targetResolver(m_dataDir);
    request.dataDir = m_dataDir;
    return request;
}

bool DeployController::start(const QString &kind, std::function<Outcome(std::stop_token)> work)
{
    if (m_busy) {
        setError(tr("A run is already going: wait for it or cancel it."));
        return false;
    }
    if (m_worker.joinable())
        m_worker.join(); // the last run has ended: its result is in

    setError({});
    setStatus({});
    m_manifestDigest.clear();
    m_layoutPath.clear();
    m_commit.clear();
    m_builtLayers.clear();
    m_summary.clear();
    m_releaseId = 0;
    Q_EMIT resultChanged();
    m_pump->flush(); // whatever the last run left goes before the clear
    m_log->clear();
    m_layers->clear();
    m_targetStates.clear();
    Q_EMIT targetStatesChanged();
    m_stages.reset();
    m_tick.start();
    Q_EMIT stagesChanged();
    if (kind != m_runKind) {
        m_runKind = kind;
        Q_EMIT runKindChanged();
    }

    m_stop = std::stop_source();
    setBusy(true);
    m_worker = std::jthread([this, work = std::move(work), stop = m_stop.get_token()] {
        lowerThisThreadsPriority();
        const Outcome outcome = work(stop);
        QMetaObject::invokeMethod(
            this, [this, outcome] { onFinished(outcome); }, Qt::QueuedConnection);
    });
    return true;
}

bool DeployController::build()
{
    if (m_project.isEmpty()) {
        setError(tr("Choose a project first: a local repository, a folder or a git URL."));
        return false;
    }
    BuildRequest request = buildRequest();
    const QString layoutDir = QDir(layoutsDir()).filePath(projectName(m_project));

    return start(QStringLiteral("build"), [request, layoutDir, engine = m_selectedTargets.value(0)](
                                              std::stop_token stop) mutable {
        request.source.stop = stop;
        if (!engine.isEmpty())
            if (auto target = request.resolveEngine(engine))
                request.defaultEngine = target.value();
        EventSink &events = *request.source.events;
        Outcome outcome;
        auto built = buildImage(request);
        if (!built) {
            outcome.cancelled = built.error().kind == Error::Kind::Cancelled;
            outcome.error = built.error().message;
            if (outcome.cancelled)
                events.log(LogLevel::Warning, QStringLiteral("build"), QStringLiteral("Cancelled"));
            return outcome;
        }
        const ContentStore store(QDir(request.source.cacheDir).filePath(QStringLiteral("blobs")));
        oci::LayoutReference layout;
        layout.directory = layoutDir;
        layout.tag = QStringLiteral("latest");
        if (Status written = oci::writeLayout(layout, store, built->manifestDigest, built->manifestSize,
                                              built->blobs, built->mediaType);
            !written) {
            outcome.error = written.error().message;
            events.log(LogLevel::Error, QStringLiteral("build"), outcome.error);
            return outcome;
        }
        outcome.ok = true;
        outcome.manifestDigest = built->manifestDigest;
        outcome.layoutPath = layoutDir + QStringLiteral(":latest");
        outcome.commit = built->commit;
        outcome.layers = layerValues(built.value());
        outcome.summary = tr("Built %1 → %2").arg(outcome.manifestDigest, outcome.layoutPath);
        events.log(
            LogLevel::Info, QStringLiteral("build"),
            QStringLiteral("Built %1 in %2 s; OCI layout %3")
                .arg(built->manifestDigest, QString::number(built->seconds, 'f', 2), outcome.layoutPath));
        return outcome;
    });
}

DeploymentSettings DeployController::deploymentSettings() const
{
    DeploymentSettings settings;
    settings.dataDir = m_dataDir;
    settings.cacheDir = cacheDir();
    settings.events = m_pump->queue();
    return settings;
}

namespace {

// A deployment's report as the run's outcome; its summary goes to the log.
DeployController::Outcome outcomeOf(const Result<DeploymentReport> &deployed, EventSink &events)
{
    DeployController::Outcome outcome;
    if (!deployed) {
        outcome.cancelled = deployed.error().kind == Error::Kind::Cancelled;
        outcome.error = deployed.error().message;
        return outcome;
    }
    const DeploymentReport &report = deployed.value();
    if (report.build)
        outcome.layers = layerValues(*report.build);
    outcome.releaseId = report.release.id;
    outcome.commit = report.release.commit;
    outcome.manifestDigest = report.release.digest;
    outcome.ok = report.healthy();
    outcome.cancelled = report.cancelled();
    for (const TargetOutcome &target : report.rollout.result.targets) {
        if (!target.healthy && !target.skipped && outcome.error.isEmpty())
            outcome.error = target.error;
        if (!target.address.isEmpty())
            outcome.addresses.insert(target.target, target.address);
    }
    outcome.summary = rolloutSummary(report.release, report.rollout);
    events.log(outcome.ok ? LogLevel::Info : LogLevel::Error, QStringLiteral("deploy"), outcome.summary);
    return outcome;
}

// The worker's job for a deploy, redeploy or rollback: `run` on a Deployment with `settings` and
// the run's stop token.
std::function<DeployController::Outcome(std::stop_token)>
deploymentJob(DeploymentSettings settings, std::function<Result<DeploymentReport>(Deployment &)> run)
{
    return [settings = std::move(settings), run = std::move(run)](std::stop_token stop) mutable {
        settings.stop = stop;
        Deployment deployment(settings);
        return outcomeOf(run(deployment), *settings.events);
    };
}

} // namespace

bool DeployController::deploy()
{
    if (m_project.isEmpty()) {
        setError(tr("Choose a project first: a local repository, a folder or a git URL."));
        return false;
    }
    if (m_selectedTargets.isEmpty()) {
        setError(deployHint());
        return false;
    }
    if (!m_image.isEmpty())
        if (auto parsed = ImageReference::parse(m_image); !parsed) {
            setError(parsed.error().message);
            return false;
        }
    return start(
        QStringLiteral("deploy"),
        deploymentJob(deploymentSettings(), [build = buildRequest(), targets = m_selectedTargets,
                                             image = m_image, environment = m_environment](Deployment &d) {
            return d.deploy({.build = build,
                             .targets = targets,
                             .image = image,
                             .environment = environment,
                             .engine = {}});
        }));
}

bool DeployController::redeploy(qint64 releaseId, const QString &target)
{
    if (target.isEmpty()) {
        setError(tr("Choose the target to roll out to."));
        return false;
    }
    return start(QStringLiteral("redeploy"),
                 deploymentJob(deploymentSettings(), [releaseId, target](Deployment &d) {
                     return d.redeploy(releaseId, {target});
                 }));
}

bool DeployController::rollback(const QString &target, const QString &app, qint64 releaseId)
{
    if (target.isEmpty()) {
        setError(tr("Choose the target to roll out to."));
        return false;
    }
    return start(
        QStringLiteral("rollback"),
        deploymentJob(deploymentSettings(), [releaseId, target, app](Deployment &d) {
            return d.rollback(
                {.target = target, .app = app, .source = {}, .environment = {}, .releaseId = releaseId});
        }));
}

bool DeployController::repair(const QString &target)
{
    return start(
        QStringLiteral("repair"), [settings = deploymentSettings(), target](std::stop_token stop) mutable {
            settings.stop = stop;
            Deployment deployment(settings);
            Outcome outcome;
            auto repaired = deployment.repair(target.isEmpty() ? QStringList() : QStringList{target});
            if (!repaired) {
                outcome.cancelled = repaired.error().kind == Error::Kind::Cancelled;
                outcome.error = repaired.error().message;
                return outcome;
            }
            QStringList failed;
            QStringList done;
            for (const RepairOutcome &one : std::as_const(repaired.value())) {
                outcome.cancelled = outcome.cancelled || one.cancelled;
                if (one.repaired)
                    done.append(tr("deployment %1 on %2: %3")
                                    .arg(one.deployment)
                                    .arg(one.target, one.notes.join(QStringLiteral("; "))));
                else
                    failed.append(one.error);
            }
            outcome.ok = failed.isEmpty();
            outcome.error = failed.join(QStringLiteral("; "));
            outcome.summary = repaired->isEmpty() ? tr("No interrupted deployment to repair.")
                              : outcome.ok        ? tr("Repaired %1.").arg(done.join(QStringLiteral("; ")))
                                                  : QString();
            settings.events->log(outcome.ok ? LogLevel::Info : LogLevel::Error, QStringLiteral("deploy"),
                                 outcome.ok ? outcome.summary : outcome.error);
            return outcome;
        });
}

void DeployController::cancel()
{
    if (m_busy)
        m_stop.request_stop();
}

void DeployController::reloadRefs()
{
    m_refs->load(m_project, cacheDir());
}

void DeployController::onStage(int stage, int state, qint64 elapsedMs)
{
    m_stages.update(stage, state, elapsedMs);
    Q_EMIT stagesChanged();
}

void DeployController::onTarget(const QString &target, int state, const QString &detail)
{
    QVariantMap entry{{QStringLiteral("name"), target},
                      {QStringLiteral("state"), targetStateName(TargetState(state))},
                      {QStringLiteral("detail"), detail}};
    for (QVariant &existing : m_targetStates)
        if (existing.toMap().value(QStringLiteral("name")) == target) {
            // A Swarm service's replicas stay until the next say otherwise.
            if (const QVariant replicas = existing.toMap().value(QStringLiteral("replicas"));
                replicas.isValid())
                entry.insert(QStringLiteral("replicas"), replicas);
            existing = entry;
            Q_EMIT targetStatesChanged();
            return;
        }
    m_targetStates.append(entry);
    Q_EMIT targetStatesChanged();
}

void DeployController::onImageTransferred(const QString &target, qint64 sent, qint64 total)
{
    const QLocale locale;
    const QString text = tr("image: sent %1 of %2")
                             .arg(locale.formattedDataSize(sent, 1, QLocale::DataSizeSIFormat),
                                  locale.formattedDataSize(total, 1, QLocale::DataSizeSIFormat));
    for (QVariant &existing : m_targetStates) {
        QVariantMap entry = existing.toMap();
        if (entry.value(QStringLiteral("name")) != target)
            continue;
        entry.insert(QStringLiteral("transfer"), text);
        existing = entry;
        Q_EMIT targetStatesChanged();
        return;
    }
}

void DeployController::onReplicas(const QString &target, const QVariantList &replicas)
{
    for (QVariant &existing : m_targetStates) {
        QVariantMap entry = existing.toMap();
        if (entry.value(QStringLiteral("name")) != target)
            continue;
        entry.insert(QStringLiteral("replicas"), replicas);
        existing = entry;
        Q_EMIT targetStatesChanged();
        return;
    }
}

void DeployController::onFinished(const Outcome &outcome)
{
    m_pump->flush(); // the last lines, layer and target states before the result
    m_tick.stop();
    m_stages.finish(outcome.cancelled);
    Q_EMIT stagesChanged();
    m_manifestDigest = outcome.manifestDigest;
    m_layoutPath = outcome.layoutPath;
    m_commit = outcome.commit;
    m_builtLayers = outcome.layers;
    m_releaseId = outcome.releaseId;
    for (QVariant &existing : m_targetStates) {
        QVariantMap entry = existing.toMap();
        const QString address =
            outcome.addresses.value(entry.value(QStringLiteral("name")).toString()).toString();
        if (address.isEmpty())
            continue;
        entry.insert(QStringLiteral("address"), address);
        existing = entry;
    }
    if (!outcome.addresses.isEmpty())
        Q_EMIT targetStatesChanged();
    m_summary = outcome.cancelled ? tr("Cancelled.") : outcome.ok ? outcome.summary : QString();
    Q_EMIT resultChanged();
    setError(outcome.cancelled || outcome.ok ? QString()
             : outcome.summary.isEmpty()     ? outcome.error
                                             : outcome.summary);
    setStatus(outcome.ok          ? QStringLiteral("done")
              : outcome.cancelled ? QStringLiteral("cancelled")
                                  : QStringLiteral("failed"));
    setBusy(false);
    Q_EMIT finished(outcome.ok);
}

void DeployController::setBusy(bool busy)
{
    if (busy == m_busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged();
}

void DeployController::setError(const QString &error)
{
    if (error == m_error)
        return;
    m_error = error;
    Q_EMIT errorChanged();
}

void DeployController::setStatus(const QString &status)
{
    if (status == m_status)
        return;
    m_status = status;
    Q_EMIT statusChanged();
}
