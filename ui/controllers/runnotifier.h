#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QtGlobal>

class DeployController;
class QSystemTrayIcon;
class QWindow;

// Says on the desktop that a long run (over ten seconds) ended while the window was in the
// background: through the freedesktop notification service (org.freedesktop.Notifications on
// the session bus, called asynchronously: the GUI thread never waits for it), whose "Show"
// action raises the window; where no such service answers, through QSystemTrayIcon::showMessage
// if a tray offers messages, else nothing (a debug line in slipway.gui.notify says why).
class RunNotifier final : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 defaultLongRunMs = 10000;

    // Follows the controller's runs: busy starts one, finished ends it.
    RunNotifier(QWindow *window, DeployController *deploy, QObject *parent = nullptr);
    RunNotifier(QWindow *window, qint64 longRunMs, QObject *parent = nullptr);
    ~RunNotifier() override;

    void runStarted();
    // What the message says: "hello: done after 42 s". Returns whether it was sent: to the
    // notification service (its answer comes as desktopNotified or, failing that, the tray
    // takes over), or, without a session bus, to the tray.
    bool runEnded(bool ok, const QString &project, const QString &status);

Q_SIGNALS:
    // A long run ended in the background, whether or not anything could show it.
    void longRunEnded(const QString &title, const QString &text);
    // The notification service took the message (its id), or said no (then the tray is tried).
    void desktopNotified(uint id);
    void desktopNotifyFailed(const QString &error);

private Q_SLOTS:
    // The notification's "Show" was clicked: the window comes to the front.
    void actionInvoked(uint id, const QString &action);

private:
    bool notifyThroughTray(bool ok, const QString &title, const QString &text);

    QWindow *m_window;
    qint64 m_longRunMs;
    QElapsedTimer m_run;
    QSystemTrayIcon *m_tray = nullptr;
    uint m_lastId = 0; // of our last notification: the next replaces it
};
