#pragma once

#include <QElapsedTimer>
#include <QObject>
#include <QString>

class DeployController;
class QSystemTrayIcon;
class QWindow;

// Says on the desktop that a long run (over ten seconds) ended while the window was in the
// background: through QSystemTrayIcon::showMessage where a tray offers messages, else nothing
// (a debug line in slipway.gui.notify says why).
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
    // What the message says: "hello: done after 42 s". Returns whether a message was shown.
    bool runEnded(bool ok, const QString &project, const QString &status);

Q_SIGNALS:
    // A long run ended in the background, whether or not a tray could show it.
    void longRunEnded(const QString &title, const QString &text);

private:
    QWindow *m_window;
    qint64 m_longRunMs;
    QElapsedTimer m_run;
    QSystemTrayIcon *m_tray = nullptr;
};
