#pragma once

#include "models/poollistmodel.h"

#include "history/history.h"

#include <QList>
#include <QString>
#include <QStringList>
#include <QVariantList>
#include <QtQml/qqmlregistration.h>

// The History page: the deployments of the history database, newest first, filtered by project,
// target and result, and the detail of the one selected (its stored log, the release's layers and
// image digest). Every query runs on a pool thread with its own History (one per thread); rows
// and detail arrive as values on this object's thread. Not final: QML_ELEMENT derives from it.
class HistoryModel : public PoolListModel
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("made in main()")
    // Empty: no filter. resultFilter is a result name ("succeeded", "failed", ...).
    Q_PROPERTY(QString projectFilter READ projectFilter WRITE setProjectFilter NOTIFY filterChanged)
    Q_PROPERTY(QString targetFilter READ targetFilter WRITE setTargetFilter NOTIFY filterChanged)
    Q_PROPERTY(QString resultFilter READ resultFilter WRITE setResultFilter NOTIFY filterChanged)
    // What the filter boxes offer: every project and target the database knows.
    Q_PROPERTY(QStringList projects READ projects NOTIFY choicesChanged)
    Q_PROPERTY(QStringList targets READ targets NOTIFY choicesChanged)
    Q_PROPERTY(QStringList results READ results CONSTANT)
    // The selected deployment; id 0: none.
    Q_PROPERTY(qint64 selectedId READ selectedId NOTIFY detailChanged)
    Q_PROPERTY(QString detailLog READ detailLog NOTIFY detailChanged)
    Q_PROPERTY(QString detailError READ detailError NOTIFY detailChanged)
    Q_PROPERTY(QString detailImage READ detailImage NOTIFY detailChanged)
    Q_PROPERTY(QString detailDigest READ detailDigest NOTIFY detailChanged)
    Q_PROPERTY(QString detailRef READ detailRef NOTIFY detailChanged)
    // The selected deployment's release and target: what Redeploy and Rollback act on.
    Q_PROPERTY(qint64 detailReleaseId READ detailReleaseId NOTIFY detailChanged)
    Q_PROPERTY(QString detailTarget READ detailTarget NOTIFY detailChanged)
    // The app the selected deployment rolled out (its container's io.slipway.app label).
    Q_PROPERTY(QString detailApp READ detailApp NOTIFY detailChanged)
    Q_PROPERTY(QVariantList detailLayers READ detailLayers NOTIFY detailChanged) // {name, digest, size}
    // The selected deployment was interrupted and what it left is not put back yet.
    Q_PROPERTY(bool detailNeedsRepair READ detailNeedsRepair NOTIFY detailChanged)
    // Interrupted deployments not repaired yet, whatever the filters.
    Q_PROPERTY(int unrepairedCount READ unrepairedCount NOTIFY unrepairedCountChanged)

public:
    enum Roles
    {
        IdRole = Qt::UserRole + 1,
        StartedRole, // QDateTime
        WhenRole,    // "2026-11-26 20:14"
        ProjectRole,
        CommitRole,
        ShortCommitRole,
        TargetRole,
        ResultRole, // "succeeded", ...
        ErrorRole,
        DurationMsRole, // -1 while running
        DurationRole,   // "12.3 s", "2 min 5 s", or "running"
        ImageRole,
        DigestRole,
        MessageRole,  // the commit's summary line; empty for a directory source
        RepairedRole, // an interrupted one whose target was put back (repair.h)
    };
    Q_ENUM(Roles)

    explicit HistoryModel(const QString &historyPath, QObject *parent = nullptr);
    ~HistoryModel() override;

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int count() const override { return int(m_rows.size()); }
    QString projectFilter() const { return m_filter.project; }
    void setProjectFilter(const QString &project);
    QString targetFilter() const { return m_filter.target; }
    void setTargetFilter(const QString &target);
    QString resultFilter() const;
    void setResultFilter(const QString &result);
    QStringList projects() const { return m_projects; }
    QStringList targets() const { return m_targets; }
    QStringList results() const;

    qint64 selectedId() const { return m_detail.deployment.id; }
    QString detailLog() const { return m_detail.deployment.log; }
    QString detailError() const
    {
        return m_detail.error.isEmpty() ? m_detail.deployment.error : m_detail.error;
    }
    QString detailImage() const { return m_detail.release.image; }
    QString detailDigest() const { return m_detail.release.digest; }
    QString detailRef() const { return m_detail.release.ref; }
    qint64 detailReleaseId() const { return m_detail.deployment.releaseId; }
    QString detailTarget() const { return m_detail.deployment.target; }
    QString detailApp() const { return m_detail.app; }
    QVariantList detailLayers() const;
    bool detailNeedsRepair() const
    {
        return m_detail.deployment.result == slipway::DeploymentResult::Interrupted &&
               !m_detail.deployment.repaired.isValid();
    }
    int unrepairedCount() const { return m_unrepaired; }

    // Reads the deployments (with the filters) and the filter choices off this thread; the
    // selection is kept when its row is still there.
    Q_INVOKABLE void refresh();
    // Loads the row's deployment and release off this thread; -1 clears the detail.
    Q_INVOKABLE void select(int row);
    Q_INVOKABLE int indexOfId(qint64 id) const;

    static QString formatDuration(qint64 ms);

    struct Loaded
    {
        QList<slipway::DeploymentRecord> rows;
        QStringList projects;
        QStringList targets;
        int unrepaired = 0;
        QString error;
    };
    struct Detail
    {
        slipway::DeploymentRecord deployment;
        slipway::ReleaseRecord release;
        QString app; // slipway::appOfRelease(release)
        QString error;
    };

Q_SIGNALS:
    void filterChanged();
    void choicesChanged();
    void detailChanged();
    void unrepairedCountChanged();
    void refreshed(); // a refresh() answered

private:
    QString m_historyPath;
    slipway::DeploymentFilter m_filter;
    QList<slipway::DeploymentRecord> m_rows;
    QStringList m_projects;
    QStringList m_targets;
    Detail m_detail;
    int m_unrepaired = 0;
    quint64 m_generation = 0;
    quint64 m_detailGeneration = 0;
};
