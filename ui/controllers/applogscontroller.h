#pragma once

#include "events/event.h"
#include "models/logfiltermodel.h"
#include "models/logmodel.h"

#include <QAbstractItemModel>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QtQml/qqmlregistration.h>

#include <memory>
#include <stop_token>

class EventPump;
class QThread;

// Follows an app's container logs on its targets into a log of its own, for the window's log
// view: core's followAppLogs on a worker thread per target (the same sequence as `slipway-cli
// logs --follow`), its lines carried to the GUI thread by an EventPump, with the target of each.
// A container's stderr lines are warnings. stop() ends the workers without waiting for them; a
// target that cannot be reached, or where the app has no container, is said in error.
// Not final: QML_ELEMENT derives from it.
class AppLogsController : public QObject
{
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("made in main()")
    Q_PROPERTY(QString app READ app NOTIFY followingChanged)
    Q_PROPERTY(QStringList targets READ targets NOTIFY followingChanged)
    Q_PROPERTY(bool following READ isFollowing NOTIFY followingChanged)
    Q_PROPERTY(QString error READ error NOTIFY errorChanged)
    Q_PROPERTY(LogModel *logModel READ logModel CONSTANT)
    Q_PROPERTY(LogFilterModel *logFilter READ logFilter CONSTANT)
    // What the log view shows: the log itself while no filter is set, else logFilter.
    Q_PROPERTY(QAbstractItemModel *logViewModel READ logViewModel NOTIFY logViewModelChanged)

public:
    explicit AppLogsController(const QString &dataDir, QObject *parent = nullptr);
    ~AppLogsController() override; // stops, and waits for the workers: only at shutdown

    QString app() const { return m_app; }
    QStringList targets() const { return m_targets; }
    bool isFollowing() const { return m_running > 0; }
    QString error() const { return m_error; }
    LogModel *logModel() const { return m_log; }
    LogFilterModel *logFilter() const { return m_filter; }
    QAbstractItemModel *logViewModel() const;
    EventPump *pump() const { return m_pump; }

    // Clears the log and follows `app` on `targets`, starting `tail` lines back; what was
    // followed before is stopped.
    Q_INVOKABLE void follow(const QString &app, const QStringList &targets, int tail = 200);
    Q_INVOKABLE void stop();
    // The display text of rows first..last of logViewModel, for the clipboard.
    Q_INVOKABLE QString logText(int first, int last) const;

Q_SIGNALS:
    void followingChanged();
    void errorChanged();
    void logViewModelChanged();

private:
    void workerEnded(const QString &error);

    QString m_dataDir;
    // Shared with the workers, which may outlive a follow(): they post here until they end.
    std::shared_ptr<slipway::EventQueue> m_queue;
    LogModel *m_log = nullptr;
    LogFilterModel *m_filter = nullptr;
    EventPump *m_pump = nullptr;
    std::stop_source m_stop;
    QList<QPointer<QThread>> m_workers;
    int m_running = 0; // workers of the current follow() still running
    QString m_app;
    QStringList m_targets;
    QString m_error;
};
