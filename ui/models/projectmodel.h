#pragma once

#include "events/event.h"

#include <QAbstractListModel>
#include <QList>
#include <QString>
#include <QtQml/qqmlregistration.h>

#include <memory>
#include <stop_token>

class EventPump;

// The recent projects, newest first, remembered in QSettings: local folders and git URLs. A URL
// is cloned into the cache's mirror when added (on a pool thread, progress from FetchEvents
// through an EventPump), so the first build does not wait for it. The first launch offers the
// sample project that ships with Slipway. Each project is checked for a slipway.toml (a folder on
// disk; a URL in its mirror's default branch, once cloned), and one can be suggested for a project
// without: written into a local folder, or shown to be committed. Every file access runs on a pool
// thread; the answers come back as values.
// Not final: QML_ELEMENT derives from it.
class ProjectModel : public QAbstractListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("made in main()")
    Q_PROPERTY(int count READ count NOTIFY countChanged)
    Q_PROPERTY(QStringList locations READ locations NOTIFY countChanged)

public:
    enum Roles
    {
        LocationRole = Qt::UserRole + 1,
        NameRole,
        KindRole,     // "url", "repository", "folder", "missing"
        StatusRole,   // "", "cloning", "ready", or the error
        ProgressRole, // 0..1 while cloning, -1 when unknown
        SampleRole,
        SpecRole, // "present", "missing", or "" while unknown (not checked yet, not cloned)
    };
    Q_ENUM(Roles)

    static constexpr int MaximumProjects = 20;

    // sampleProject: the bundled sample's path, offered while the list is empty (may be empty).
    ProjectModel(const QString &cacheDir, const QString &sampleProject, QObject *parent = nullptr);
    ~ProjectModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const { return int(m_projects.size()); }
    QStringList locations() const;

    // Adds a folder, repository or URL (or moves it to the top); a URL is cloned into the cache.
    // Returns false for an empty location, a path that does not exist, or a URL with a password
    // (it would be stored in clear).
    Q_INVOKABLE bool add(const QString &location);
    // Moves a location to the top (a build of it started); adds it if new, without cloning.
    Q_INVOKABLE void remember(const QString &location);
    Q_INVOKABLE void remove(int row);
    Q_INVOKABLE QString locationAt(int row) const;
    // A file:// URL from a folder dialog as a local path; anything else as it is.
    Q_INVOKABLE QString fromDialogUrl(const QUrl &url) const;

    // Suggests a slipway.toml for the row's project off this thread (suggestSpec over the folder,
    // or over the mirror's default branch for a URL); answers with suggestionReady or
    // suggestionFailed.
    Q_INVOKABLE void suggest(int row);
    // Writes `text` as slipway.toml into the project's folder (local folders and work trees only)
    // off this thread, atomically; refuses if one exists by then. Answers with written().
    Q_INVOKABLE void writeSpec(const QString &location, const QString &text);
    Q_INVOKABLE void copyToClipboard(const QString &text) const;
    // Looks for every project's slipway.toml again (the page is shown: one may have been added).
    Q_INVOKABLE void checkSpecs();

    // True when no project was remembered: the newcomer's first launch, the sample offered.
    bool isFirstLaunch() const { return m_firstLaunch; }

Q_SIGNALS:
    void countChanged();
    // canWrite: the project is a local folder the text can be written into. note: what to do
    // with it ("Commit it to the repository...").
    void suggestionReady(const QString &location, const QString &text, const QString &why, bool canWrite,
                         const QString &note);
    void suggestionFailed(const QString &location, const QString &error);
    void written(const QString &location, bool ok, const QString &message);
    void specChecked(const QString &location); // a slipway.toml check answered

private:
    struct Project
    {
        QString location;
        QString status;
        double progress = -1;
        QString spec; // SpecRole
        QString kind; // KindRole: found with the spec, off the GUI thread; empty until then
    };

    // Looks at the location and for slipway.toml off this thread; updates the row's KindRole and
    // SpecRole.
    void checkSpec(const QString &location);
    void setSpec(const QString &location, const QString &kind, const QString &spec);

    void insertAtTop(const QString &location);
    void save() const;
    int rowOf(const QString &location) const;
    void setStatus(const QString &location, const QString &status, double progress);
    void onFetchProgress(const QString &source, qint64 received, qint64 total);

    QString m_cacheDir;
    QString m_sample;
    QList<Project> m_projects;
    std::shared_ptr<slipway::EventQueue> m_queue; // shared with the clone workers
    EventPump *m_pump = nullptr;
    std::stop_source m_stop;
    bool m_firstLaunch = false;
};
