#include "models/projectmodel.h"

#include "models/eventpump.h"
#include "models/layermodel.h"
#include "models/logmodel.h"
#include "models/whendone.h"
#include "source/gitmirror.h"

#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

namespace {

const QString recentKey = QStringLiteral("projects/recent");

QString kindOf(const QString &location)
{
    const QFileInfo info(location);
    if (!info.exists())
        return slipway::isGitUrl(location) ? QStringLiteral("url") : QStringLiteral("missing");
    if (QFileInfo::exists(QDir(location).filePath(QStringLiteral(".git"))) ||
        QFileInfo(QDir(location).filePath(QStringLiteral("HEAD"))).isFile())
        return QStringLiteral("repository");
    return QStringLiteral("folder");
}

// A password in a URL would be stored in the settings file in clear: such a location is not
// remembered (credentials belong in the git credential helper or the ssh agent).
bool hasPassword(const QString &location)
{
    return slipway::displayUrl(location) != location;
}

} // namespace

ProjectModel::ProjectModel(const QString &cacheDir, const QString &sampleProject, QObject *parent)
    : QAbstractListModel(parent)
    , m_cacheDir(cacheDir)
    , m_sample(sampleProject)
    , m_queue(std::make_shared<slipway::EventQueue>())
    , m_pump(new EventPump(m_queue.get(), this))
{
    connect(m_pump, &EventPump::fetchProgress, this,
            [this](const QString &source, qint64 received, qint64 total, qint64) {
                onFetchProgress(source, received, total);
            });
    m_pump->stop(); // it runs only while a clone is in flight
    const QStringList stored = QSettings().value(recentKey).toStringList();
    for (const QString &location : stored)
        if (!location.isEmpty())
            m_projects.append(Project{location, {}, -1});
    // A newcomer sees something to build at once.
    if (m_projects.isEmpty() && !m_sample.isEmpty() && QFileInfo::exists(m_sample))
        m_projects.append(Project{m_sample, {}, -1});
}

ProjectModel::~ProjectModel()
{
    m_stop.request_stop();
}

int ProjectModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : count();
}

QVariant ProjectModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.parent().isValid() || index.row() >= count())
        return {};
    const Project &project = m_projects.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case LocationRole:
        return project.location;
    case NameRole: {
        QString name = project.location;
        while (name.endsWith(u'/'))
            name.chop(1);
        name = name.mid(name.lastIndexOf(u'/') + 1);
        if (name.endsWith(QStringLiteral(".git")))
            name.chop(4);
        return name;
    }
    case KindRole:
        return kindOf(project.location);
    case StatusRole:
        return project.status;
    case ProgressRole:
        return project.progress;
    case SampleRole:
        return !m_sample.isEmpty() && project.location == m_sample;
    default:
        return {};
    }
}

QHash<int, QByteArray> ProjectModel::roleNames() const
{
    return {{LocationRole, "location"}, {NameRole, "name"},         {KindRole, "kind"},
            {StatusRole, "status"},     {ProgressRole, "progress"}, {SampleRole, "isSample"}};
}

QStringList ProjectModel::locations() const
{
    QStringList list;
    for (const Project &project : m_projects)
        list.append(project.location);
    return list;
}

bool ProjectModel::add(const QString &location)
{
    const QString trimmed = location.trimmed();
    if (trimmed.isEmpty() || hasPassword(trimmed))
        return false;
    const bool url = !QFileInfo::exists(trimmed) && slipway::isGitUrl(trimmed);
    if (!url && !QFileInfo(trimmed).isDir())
        return false;
    insertAtTop(trimmed);
    if (!url)
        return true;

    setStatus(trimmed, QStringLiteral("cloning"), -1);
    m_pump->start();
    slipway::SourceOptions options;
    options.location = trimmed;
    options.cacheDir = m_cacheDir;
    options.events = m_queue.get();
    options.stop = m_stop.get_token();
    // The worker keeps the queue alive; the model may go first.
    std::shared_ptr<slipway::EventQueue> queue = m_queue;
    whenDone(this, QtConcurrent::run([options, queue] { return slipway::updateMirror(options); }),
             [this, trimmed](const slipway::Result<QString> &mirror) {
                 m_pump->pump();
                 setStatus(trimmed, mirror ? QStringLiteral("ready") : mirror.error().message,
                           mirror ? 1.0 : -1);
             });
    return true;
}

void ProjectModel::remember(const QString &location)
{
    if (!location.trimmed().isEmpty() && !hasPassword(location.trimmed()))
        insertAtTop(location.trimmed());
}

void ProjectModel::remove(int row)
{
    if (row < 0 || row >= count())
        return;
    beginRemoveRows({}, row, row);
    m_projects.removeAt(row);
    endRemoveRows();
    save();
    Q_EMIT countChanged();
}

QString ProjectModel::locationAt(int row) const
{
    return row >= 0 && row < count() ? m_projects.at(row).location : QString();
}

QString ProjectModel::fromDialogUrl(const QUrl &url) const
{
    return url.isLocalFile() ? url.toLocalFile() : url.toString();
}

void ProjectModel::insertAtTop(const QString &location)
{
    const int row = rowOf(location);
    if (row == 0)
        return;
    if (row > 0) {
        beginMoveRows({}, row, row, {}, 0);
        m_projects.move(row, 0);
        endMoveRows();
    } else {
        beginInsertRows({}, 0, 0);
        m_projects.prepend(Project{location, {}, -1});
        endInsertRows();
        if (count() > MaximumProjects) {
            beginRemoveRows({}, count() - 1, count() - 1);
            m_projects.removeLast();
            endRemoveRows();
        }
        Q_EMIT countChanged();
    }
    save();
}

void ProjectModel::save() const
{
    QSettings().setValue(recentKey, locations());
}

int ProjectModel::rowOf(const QString &location) const
{
    for (int row = 0; row < count(); ++row)
        if (m_projects.at(row).location == location)
            return row;
    return -1;
}

void ProjectModel::setStatus(const QString &location, const QString &status, double progress)
{
    const int row = rowOf(location);
    if (row < 0)
        return;
    m_projects[row].status = status;
    m_projects[row].progress = progress;
    const QModelIndex changed = index(row);
    Q_EMIT dataChanged(changed, changed, {StatusRole, ProgressRole});
}

void ProjectModel::onFetchProgress(const QString &source, qint64 received, qint64 total)
{
    // FetchEvent names the source as displayUrl() shows it.
    for (const Project &project : std::as_const(m_projects))
        if (project.status == u"cloning" && slipway::displayUrl(project.location) == source)
            setStatus(project.location, project.status, total > 0 ? double(received) / double(total) : -1);
}
