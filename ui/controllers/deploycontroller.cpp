#include "controllers/deploycontroller.h"

#include "build/imagebuilder.h"
#include "controllers/appsettings.h"
#include "history/history.h"
#include "models/eventpump.h"
#include "models/layermodel.h"
#include "models/logfiltermodel.h"
#include "models/logmodel.h"
#include "models/refmodel.h"
#include "models/whendone.h"
#include "oci/ocilayout.h"
#include "store/contentstore.h"
#include "util/paths.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QVariantMap>
#include <QtConcurrent/QtConcurrentRun>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

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
};

namespace {

const char *const stageNames[] = {"fetch", "build", "push", "deploy"};
constexpr int BuildNiceness = 10;

QString stateName(StageState state)
{
    switch (state) {
    case StageState::Pending:
        return QStringLiteral("pending");
    case StageState::Running:
        return QStringLiteral("running");
    case StageState::Done:
        return QStringLiteral("done");
    case StageState::Failed:
        return QStringLiteral("failed");
    case StageState::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}

// The build runs below the window's priority: on Linux the nice value is per thread and new
// threads inherit it, so the build's pool (started from this thread) is niced too, and the GUI
// thread wins the CPU when both want it.
void lowerThisThreadsPriority()
{
    const auto tid = id_t(syscall(SYS_gettid));
    setpriority(PRIO_PROCESS, tid, std::min(getpriority(PRIO_PROCESS, tid) + BuildNiceness, 19));
}

QVariantList layerValues(const BuildOutput &built)
{
    QVariantList layers;
    for (const BuiltLayer &layer : built.layers)
        layers.append(QVariantMap{{QStringLiteral("name"), layer.name},
                                  {QStringLiteral("digest"), layer.blob.digest},
                                  {QStringLiteral("size"), layer.blob.size},
                                  {QStringLiteral("uncompressedSize"), layer.blob.uncompressedSize},
                                  {QStringLiteral("files"), layer.blob.files},
                                  {QStringLiteral("cached"), layer.cached}});
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
    // The filter is attached only while a filter is set: a proxy over two million lines pays
    // for its mapping on every batch and every trimmed chunk, for nothing when it passes all.
    connect(m_filter, &LogFilterModel::filterTextChanged, this, &DeployController::updateLogFilter);
    connect(m_filter, &LogFilterModel::minimumLevelChanged, this, &DeployController::updateLogFilter);
    m_pump->setLogModel(m_log);
    m_pump->setLayerModel(m_layers);
    connect(m_pump, &EventPump::stageChanged, this, &DeployController::onStage);
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
    setRef({});
    reloadRefs();
}

void DeployController::setRef(const QString &ref)
{
    if (ref == m_ref)
        return;
    m_ref = ref;
    Q_EMIT refChanged();
}

QVariantList DeployController::stages() const
{
    QVariantList list;
    for (int i = 0; i < 4; ++i) {
        const StageInfo &stage = m_stages[i];
        qint64 elapsed = stage.elapsedMs;
        if (stage.state == StageState::Running && m_clock.isValid())
            elapsed = std::max<qint64>(0, m_clock.elapsed() - stage.startedAt);
        list.append(QVariantMap{{QStringLiteral("name"), QString::fromLatin1(stageNames[i])},
                                {QStringLiteral("state"), stateName(stage.state)},
                                {QStringLiteral("elapsedMs"), elapsed},
                                {QStringLiteral("started"), stage.startedAt >= 0}});
    }
    return list;
}

QString DeployController::deployHint() const
{
    if (m_targets.isEmpty())
        return tr("Deploying needs a target: add one on the Targets page. Build works now.");
    return tr("Deploying from the window is not wired yet: use slipway-cli deploy. Build works now.");
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
                 Q_EMIT targetsChanged();
             });
}

QAbstractItemModel *DeployController::logViewModel() const
{
    return m_logFiltered ? static_cast<QAbstractItemModel *>(m_filter) : m_log;
}

QString DeployController::logText(int first, int last) const
{
    return m_logFiltered ? m_filter->textOfRows(first, last) : m_log->textOfRows(first, last);
}

void DeployController::updateLogFilter()
{
    const bool filtered = !m_filter->filterText().isEmpty() || m_filter->minimumLevel() > 0;
    if (filtered == m_logFiltered)
        return;
    m_logFiltered = filtered;
    m_filter->setSourceModel(filtered ? m_log : nullptr);
    Q_EMIT logViewModelChanged();
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
    QString name = location.trimmed();
    while (name.endsWith(u'/'))
        name.chop(1);
    name = name.mid(name.lastIndexOf(u'/') + 1);
    name = name.mid(name.lastIndexOf(u':') + 1);
    if (name.endsWith(QStringLiteral(".git")))
        name.chop(4);
    name.replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9._-]")), QStringLiteral("-"));
    return name.isEmpty() || name.startsWith(u'.') ? QStringLiteral("project") : name;
}

bool DeployController::build()
{
    if (m_busy) {
        setError(tr("A build is already running."));
        return false;
    }
    if (m_project.isEmpty()) {
        setError(tr("Choose a project first: a local repository, a folder or a git URL."));
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
    Q_EMIT resultChanged();
    m_pump->pump(); // whatever the last run left goes before the clear
    m_log->clear();
    m_layers->clear();
    for (StageInfo &stage : m_stages)
        stage = StageInfo();
    m_clock.start();
    m_tick.start();
    Q_EMIT stagesChanged();

    m_stop = std::stop_source();
    BuildRequest request;
    request.source.location = m_project;
    request.source.ref = m_ref;
    request.source.cacheDir = cacheDir();
    request.source.events = m_pump->queue();
    request.source.stop = m_stop.get_token();
    if (m_settings) {
        request.compression = m_settings->buildCompression();
        request.jobs = m_settings->jobs();
    }
    request.sourceDateEpoch = sourceDateEpochFromEnvironment();
    const QString layoutDir = QDir(layoutsDir()).filePath(projectName(m_project));

    setBusy(true);
    m_worker = std::jthread([this, request, layoutDir] {
        lowerThisThreadsPriority();
        EventSink &events = *request.source.events;
        Outcome outcome;
        auto built = buildImage(request);
        if (built) {
            QStringList blobs{built->configDigest};
            for (const BuiltLayer &layer : built->layers)
                blobs.append(layer.blob.digest);
            const ContentStore store(QDir(request.source.cacheDir).filePath(QStringLiteral("blobs")));
            oci::LayoutReference layout;
            layout.directory = layoutDir;
            layout.tag = QStringLiteral("latest");
            if (Status written =
                    oci::writeLayout(layout, store, built->manifestDigest, built->manifestSize, blobs);
                !written) {
                outcome.error = written.error().message;
                events.log(LogLevel::Error, QStringLiteral("build"), outcome.error);
            } else {
                outcome.ok = true;
                outcome.manifestDigest = built->manifestDigest;
                outcome.layoutPath = layoutDir + QStringLiteral(":latest");
                outcome.commit = built->commit;
                outcome.layers = layerValues(built.value());
                events.log(LogLevel::Info, QStringLiteral("build"),
                           QStringLiteral("Built %1 in %2 s; OCI layout %3")
                               .arg(built->manifestDigest, QString::number(built->seconds, 'f', 2),
                                    outcome.layoutPath));
            }
        } else {
            outcome.cancelled = built.error().kind == Error::Kind::Cancelled;
            outcome.error = built.error().message;
            if (outcome.cancelled)
                events.log(LogLevel::Warning, QStringLiteral("build"), QStringLiteral("Cancelled"));
        }
        QMetaObject::invokeMethod(
            this, [this, outcome] { onFinished(outcome); }, Qt::QueuedConnection);
    });
    return true;
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
    if (stage < 0 || stage > 3)
        return;
    StageInfo &info = m_stages[stage];
    info.state = StageState(state);
    if (info.state == StageState::Running) {
        info.startedAt = elapsedMs;
        info.elapsedMs = 0;
    } else if (info.startedAt >= 0) {
        info.elapsedMs = elapsedMs - info.startedAt;
    }
    Q_EMIT stagesChanged();
}

void DeployController::onFinished(const Outcome &outcome)
{
    m_pump->pump(); // the last lines and layer states before the result
    m_tick.stop();
    // A stage the worker left running (it was stopped between events) ends as the run did.
    for (StageInfo &stage : m_stages)
        if (stage.state == StageState::Running) {
            stage.state = outcome.cancelled ? StageState::Cancelled : StageState::Failed;
            stage.elapsedMs = m_clock.elapsed() - stage.startedAt;
        }
    Q_EMIT stagesChanged();
    m_manifestDigest = outcome.manifestDigest;
    m_layoutPath = outcome.layoutPath;
    m_commit = outcome.commit;
    m_builtLayers = outcome.layers;
    Q_EMIT resultChanged();
    setError(outcome.cancelled ? QString() : outcome.error);
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
