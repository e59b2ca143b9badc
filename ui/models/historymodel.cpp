#include "models/historymodel.h"

#include "deploy/release.h"

#include "models/whendone.h"

#include <QFileInfo>
#include <QLocale>
#include <QtConcurrent/QtConcurrentRun>

using slipway::DeploymentRecord;
using slipway::DeploymentResult;
using slipway::History;

namespace {

const DeploymentResult allResults[] = {DeploymentResult::Succeeded, DeploymentResult::Failed,
                                       DeploymentResult::Running, DeploymentResult::Cancelled,
                                       DeploymentResult::Interrupted};

HistoryModel::Loaded load(const QString &path, const slipway::DeploymentFilter &filter)
{
    HistoryModel::Loaded loaded;
    // No database yet: nothing deployed. The GUI does not create one just to read it.
    if (!QFileInfo::exists(path))
        return loaded;
    auto history = History::open(path);
    if (!history) {
        loaded.error = history.error().message;
        return loaded;
    }
    auto rows = history.value()->deployments(filter);
    if (!rows) {
        loaded.error = rows.error().message;
        return loaded;
    }
    loaded.rows = rows.value();
    slipway::DeploymentFilter unrepaired;
    unrepaired.unrepairedOnly = true;
    if (auto interrupted = history.value()->deployments(unrepaired))
        loaded.unrepaired = int(interrupted->size());
    if (auto projects = history.value()->projects())
        for (const slipway::ProjectRecord &project : projects.value())
            loaded.projects.append(project.name);
    if (auto targets = history.value()->targets())
        for (const slipway::Target &target : targets.value())
            loaded.targets.append(target.name);
    // Deployments to a target removed since still name it: offer it as a filter too.
    if (filter.target.isEmpty())
        for (const DeploymentRecord &row : std::as_const(loaded.rows))
            if (!loaded.targets.contains(row.target))
                loaded.targets.append(row.target);
    loaded.projects.sort();
    loaded.targets.sort();
    return loaded;
}

HistoryModel::Detail loadDetail(const QString &path, qint64 id)
{
    HistoryModel::Detail detail;
    auto history = History::open(path);
    if (!history) {
        detail.error = history.error().message;
        return detail;
    }
    auto deployment = history.value()->deployment(id);
    if (!deployment) {
        detail.error = deployment.error().message;
        return detail;
    }
    detail.deployment = deployment.value();
    auto release = history.value()->release(detail.deployment.releaseId);
    if (release) {
        detail.release = release.value();
        detail.app = slipway::appOfRelease(detail.release);
    } else {
        detail.error = release.error().message;
    }
    return detail;
}

} // namespace

HistoryModel::HistoryModel(const QString &historyPath, QObject *parent)
    : PoolListModel(parent)
    , m_historyPath(historyPath)
{}

HistoryModel::~HistoryModel() = default;

QString HistoryModel::formatDuration(qint64 ms)
{
    if (ms < 0)
        return tr("running");
    if (ms < 60000)
        return tr("%1 s").arg(QLocale::c().toString(double(ms) / 1000.0, 'f', 1));
    const qint64 seconds = ms / 1000;
    return tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.parent().isValid() || index.row() >= count())
        return {};
    const DeploymentRecord &row = m_rows.at(index.row());
    const qint64 durationMs = row.finished.isValid() ? row.started.msecsTo(row.finished) : -1;
    switch (role) {
    case IdRole:
        return row.id;
    case StartedRole:
        return row.started;
    case Qt::DisplayRole:
    case WhenRole:
        return row.started.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
    case ProjectRole:
        return row.project;
    case CommitRole:
        return row.commit;
    case ShortCommitRole:
        return row.commit.left(7);
    case TargetRole:
        return row.target;
    case ResultRole:
        return slipway::deploymentResultName(row.result);
    case ErrorRole:
        return row.error;
    case DurationMsRole:
        return durationMs;
    case DurationRole:
        return formatDuration(durationMs);
    case ImageRole:
        return row.image;
    case DigestRole:
        return row.digest;
    case MessageRole:
        return row.message;
    case RepairedRole:
        return row.repaired.isValid();
    default:
        return {};
    }
}

QHash<int, QByteArray> HistoryModel::roleNames() const
{
    return {{IdRole, "deploymentId"},       {StartedRole, "started"},   {WhenRole, "when"},
            {ProjectRole, "project"},       {CommitRole, "commit"},     {ShortCommitRole, "shortCommit"},
            {TargetRole, "target"},         {ResultRole, "result"},     {ErrorRole, "error"},
            {DurationMsRole, "durationMs"}, {DurationRole, "duration"}, {ImageRole, "image"},
            {DigestRole, "digest"},         {MessageRole, "message"},   {RepairedRole, "repaired"}};
}

void HistoryModel::setProjectFilter(const QString &project)
{
    if (m_filter.project == project)
        return;
    m_filter.project = project;
    Q_EMIT filterChanged();
    refresh();
}

void HistoryModel::setTargetFilter(const QString &target)
{
    if (m_filter.target == target)
        return;
    m_filter.target = target;
    Q_EMIT filterChanged();
    refresh();
}

QString HistoryModel::resultFilter() const
{
    return m_filter.result ? slipway::deploymentResultName(*m_filter.result) : QString();
}

void HistoryModel::setResultFilter(const QString &result)
{
    const std::optional<DeploymentResult> parsed =
        result.isEmpty() ? std::nullopt : slipway::deploymentResultFromName(result);
    if (m_filter.result == parsed)
        return;
    m_filter.result = parsed;
    Q_EMIT filterChanged();
    refresh();
}

QStringList HistoryModel::results() const
{
    QStringList names;
    for (DeploymentResult result : allResults)
        names.append(slipway::deploymentResultName(result));
    return names;
}

QVariantList HistoryModel::detailLayers() const
{
    QVariantList layers;
    for (const slipway::LayerRecord &layer : m_detail.release.layers)
        layers.append(QVariantMap{{QStringLiteral("name"), layer.name},
                                  {QStringLiteral("digest"), layer.digest},
                                  {QStringLiteral("size"), layer.size}});
    return layers;
}

void HistoryModel::refresh()
{
    const quint64 generation = ++m_generation;
    begin();
    whenDone(this, QtConcurrent::run(load, m_historyPath, m_filter),
             [this, generation](const Loaded &loaded) {
                 end();
                 if (generation != m_generation)
                     return; // a newer refresh (another filter) is on its way
                 resetRows(m_rows, loaded.rows);
                 if (loaded.projects != m_projects || loaded.targets != m_targets) {
                     m_projects = loaded.projects;
                     m_targets = loaded.targets;
                     Q_EMIT choicesChanged();
                 }
                 setError(loaded.error);
                 if (loaded.unrepaired != m_unrepaired) {
                     m_unrepaired = loaded.unrepaired;
                     Q_EMIT unrepairedCountChanged();
                 }
                 // The selection goes when its row is filtered out; else its detail is read again (a
                 // running deployment's log grows).
                 if (selectedId() != 0)
                     select(indexOfId(selectedId()));
                 Q_EMIT refreshed();
             });
}

void HistoryModel::select(int row)
{
    const quint64 generation = ++m_detailGeneration;
    if (row < 0 || row >= count()) {
        if (selectedId() != 0 || !m_detail.error.isEmpty()) {
            m_detail = {};
            Q_EMIT detailChanged();
        }
        return;
    }
    begin();
    whenDone(this, QtConcurrent::run(loadDetail, m_historyPath, m_rows.at(row).id),
             [this, generation](const Detail &detail) {
                 end();
                 if (generation != m_detailGeneration)
                     return;
                 m_detail = detail;
                 Q_EMIT detailChanged();
             });
}

int HistoryModel::indexOfId(qint64 id) const
{
    for (int row = 0; row < count(); ++row)
        if (m_rows.at(row).id == id)
            return row;
    return -1;
}
