#include "models/projectmodel.h"

#include "models/eventpump.h"
#include "models/layermodel.h"
#include "models/logmodel.h"
#include "models/whendone.h"
#include "projectfile/spec.h"
#include "projectfile/suggest.h"
#include "source/gitmirror.h"
#include "source/gitsource.h"

#include <QClipboard>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QSaveFile>
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

const QString specFile = QStringLiteral("slipway.toml");

// Where a project's files are read for the slipway.toml check and suggestion: a folder on disk
// (a plain folder or a work tree: what the user edits), or a git repository's default branch (a
// URL's mirror, or a bare repository), which only a commit can change.
struct Place
{
    QString folder;
    QString repository;
    bool workTree = false;
};

Place placeOf(const QString &location, const QString &cacheDir)
{
    Place place;
    const QFileInfo info(location);
    if (info.isDir()) {
        place.workTree = QFileInfo::exists(QDir(location).filePath(QStringLiteral(".git")));
        if (!place.workTree && QFileInfo(QDir(location).filePath(QStringLiteral("HEAD"))).isFile())
            place.repository = location;
        else
            place.folder = location;
    } else if (!info.exists() && slipway::isGitUrl(location)) {
        const QString mirror = slipway::mirrorPath(cacheDir, location);
        if (QFileInfo(mirror).isDir())
            place.repository = mirror;
    }
    return place;
}

QString nameOf(const QString &location)
{
    QString name = location;
    while (name.endsWith(u'/'))
        name.chop(1);
    name = name.mid(name.lastIndexOf(u'/') + 1);
    if (name.endsWith(QStringLiteral(".git")))
        name.chop(4);
    return name;
}

// "present", "missing", or empty when it cannot be told (no mirror yet, an empty repository).
QString findSpec(const QString &location, const QString &cacheDir)
{
    const Place place = placeOf(location, cacheDir);
    if (!place.folder.isEmpty())
        return QFileInfo::exists(QDir(place.folder).filePath(specFile)) ? QStringLiteral("present")
                                                                        : QStringLiteral("missing");
    if (place.repository.isEmpty())
        return {};
    auto source = slipway::GitSource::openLocal(place.repository, slipway::displayUrl(location), QString());
    if (!source)
        return {};
    const QList<slipway::SourceFile> &files = source.value()->files();
    const bool found = std::any_of(files.cbegin(), files.cend(),
                                   [](const slipway::SourceFile &file) { return file.path == specFile; });
    return found ? QStringLiteral("present") : QStringLiteral("missing");
}

struct Suggestion
{
    QString text;
    QString why;
    QString error;
    QString note;
    bool canWrite = false;
};

Suggestion suggestFor(const QString &location, const QString &cacheDir, std::stop_token stop)
{
    Suggestion out;
    const Place place = placeOf(location, cacheDir);
    slipway::Result<slipway::SuggestedSpec> suggested = slipway::Error::failed(
        slipway::isGitUrl(location) ? QObject::tr("%1: not cloned yet: wait for the clone to finish")
                                          .arg(slipway::displayUrl(location))
                                    : QObject::tr("%1: the folder is gone").arg(location));
    if (!place.folder.isEmpty()) {
        // A work tree builds from its commit: suggest from what is committed (a layer for an
        // untracked node_modules/ would take no file), from the files while there is no commit.
        auto head =
            place.workTree
                ? slipway::GitSource::openLocal(place.folder, location, QString())
                : slipway::Result<std::unique_ptr<slipway::GitSource>>(slipway::Error::failed(QString()));
        suggested = head ? slipway::suggestSpec(*head.value(), nameOf(location))
                         : slipway::suggestSpec(place.folder, stop);
        out.canWrite = true;
        out.note = place.workTree
                       ? QObject::tr("Builds of a repository read its commits: after writing it, commit "
                                     "slipway.toml.")
                       : QObject::tr("Builds read the folder as it is: once written, it is used.");
    } else if (!place.repository.isEmpty()) {
        auto source =
            slipway::GitSource::openLocal(place.repository, slipway::displayUrl(location), QString());
        if (source)
            suggested = slipway::suggestSpec(*source.value(), nameOf(location));
        else
            suggested = source.error();
        out.note =
            QObject::tr("Slipway builds what is committed: add this as slipway.toml at the repository's "
                        "root, commit it and push.");
    }
    if (suggested) {
        out.text = suggested->text;
        out.why = suggested->why;
    } else {
        out.error = suggested.error().message;
    }
    return out;
}

// Writes slipway.toml into the folder through a temporary file renamed into place, so a reader
// never sees half a file; never over one that exists (checked again just before the rename).
QString writeSpecFile(const QString &location, const QString &cacheDir, const QString &text)
{
    const Place place = placeOf(location, cacheDir);
    if (place.folder.isEmpty())
        return QObject::tr("%1: not a local folder: commit slipway.toml to the repository instead")
            .arg(slipway::displayUrl(location));
    const QString path = QDir(place.folder).filePath(specFile);
    if (auto spec = slipway::parseSpec(text.toUtf8(), path); !spec)
        return spec.error().message;
    if (QFileInfo::exists(path))
        return QObject::tr("%1 exists already: not overwritten").arg(path);
    QSaveFile file(path);
    file.setDirectWriteFallback(false);
    const QByteArray bytes = text.toUtf8();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return QObject::tr("%1: cannot write: %2").arg(path, file.errorString());
    if (QFileInfo::exists(path)) {
        file.cancelWriting();
        return QObject::tr("%1 exists already: not overwritten").arg(path);
    }
    if (!file.commit())
        return QObject::tr("%1: cannot write: %2").arg(path, file.errorString());
    return {};
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
            m_projects.append(Project{location, {}, -1, {}, {}});
    // A newcomer sees something to build at once.
    m_firstLaunch = m_projects.isEmpty();
    if (m_projects.isEmpty() && !m_sample.isEmpty() && QFileInfo::exists(m_sample))
        m_projects.append(Project{m_sample, {}, -1, {}, {}});
    checkSpecs();
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
    case NameRole:
        return nameOf(project.location);
    case KindRole:
        return project.kind;
    case StatusRole:
        return project.status;
    case ProgressRole:
        return project.progress;
    case SampleRole:
        return !m_sample.isEmpty() && project.location == m_sample;
    case SpecRole:
        return project.spec;
    default:
        return {};
    }
}

QHash<int, QByteArray> ProjectModel::roleNames() const
{
    return {{LocationRole, "location"}, {NameRole, "name"},       {KindRole, "kind"}, {StatusRole, "status"},
            {ProgressRole, "progress"}, {SampleRole, "isSample"}, {SpecRole, "spec"}};
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
                 m_pump->flush(); // the clone's last progress before its end
                 setStatus(trimmed, mirror ? QStringLiteral("ready") : mirror.error().message,
                           mirror ? 1.0 : -1);
                 if (mirror)
                     checkSpec(trimmed); // the default branch is there to look at now
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
        m_projects.prepend(Project{location, {}, -1, {}, {}});
        endInsertRows();
        checkSpec(location);
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

void ProjectModel::suggest(int row)
{
    if (row < 0 || row >= count())
        return;
    const QString location = m_projects.at(row).location;
    whenDone(this, QtConcurrent::run([location, cacheDir = m_cacheDir, stop = m_stop.get_token()] {
                 return suggestFor(location, cacheDir, stop);
             }),
             [this, location](const Suggestion &suggestion) {
                 if (suggestion.error.isEmpty())
                     Q_EMIT suggestionReady(location, suggestion.text, suggestion.why, suggestion.canWrite,
                                            suggestion.note);
                 else
                     Q_EMIT suggestionFailed(location, suggestion.error);
             });
}

void ProjectModel::writeSpec(const QString &location, const QString &text)
{
    whenDone(this, QtConcurrent::run([location, text, cacheDir = m_cacheDir] {
                 return writeSpecFile(location, cacheDir, text);
             }),
             [this, location](const QString &error) {
                 if (const int row = rowOf(location); error.isEmpty() && row >= 0)
                     setSpec(location, m_projects.at(row).kind, QStringLiteral("present"));
                 const QString path = QDir(location).filePath(specFile);
                 Q_EMIT written(location, error.isEmpty(),
                                error.isEmpty() ? tr("Wrote %1").arg(path) : error);
             });
}

void ProjectModel::copyToClipboard(const QString &text) const
{
    if (QClipboard *clipboard = QGuiApplication::clipboard())
        clipboard->setText(text);
}

void ProjectModel::checkSpecs()
{
    for (const Project &project : std::as_const(m_projects))
        checkSpec(project.location);
}

void ProjectModel::checkSpec(const QString &location)
{
    whenDone(this, QtConcurrent::run([location, cacheDir = m_cacheDir] {
                 return std::pair<QString, QString>(kindOf(location), findSpec(location, cacheDir));
             }),
             [this, location](const std::pair<QString, QString> &found) {
                 setSpec(location, found.first, found.second);
                 Q_EMIT specChecked(location);
             });
}

void ProjectModel::setSpec(const QString &location, const QString &kind, const QString &spec)
{
    const int row = rowOf(location);
    if (row < 0)
        return;
    Project &project = m_projects[row];
    QList<int> roles;
    if (project.kind != kind) {
        project.kind = kind;
        roles.append(KindRole);
    }
    if (project.spec != spec) {
        project.spec = spec;
        roles.append(SpecRole);
    }
    if (!roles.isEmpty())
        Q_EMIT dataChanged(index(row), index(row), roles);
}
