#include "controllers/runnotifier.h"

#include "controllers/deploycontroller.h"

#include <QGuiApplication>
#include <QLoggingCategory>
#include <QSystemTrayIcon>
#include <QWindow>

Q_LOGGING_CATEGORY(lcNotify, "slipway.gui.notify")

RunNotifier::RunNotifier(QWindow *window, qint64 longRunMs, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_longRunMs(longRunMs)
{}

RunNotifier::RunNotifier(QWindow *window, DeployController *deploy, QObject *parent)
    : RunNotifier(window, defaultLongRunMs, parent)
{
    connect(deploy, &DeployController::busyChanged, this, [this, deploy] {
        if (deploy->isBusy())
            runStarted();
    });
    connect(deploy, &DeployController::finished, this, [this, deploy](bool ok) {
        runEnded(ok, DeployController::projectName(deploy->project()), deploy->status());
    });
}

RunNotifier::~RunNotifier() = default;

void RunNotifier::runStarted()
{
    m_run.start();
}

bool RunNotifier::runEnded(bool ok, const QString &project, const QString &status)
{
    if (!m_run.isValid())
        return false;
    const qint64 elapsed = m_run.elapsed();
    m_run.invalidate();
    if (elapsed < m_longRunMs || m_window->isActive())
        return false;
    const QString title =
        ok ? tr("Slipway: done") : tr("Slipway: %1").arg(status.isEmpty() ? tr("failed") : status);
    const QString text = tr("%1 after %2 s").arg(project).arg(elapsed / 1000);
    Q_EMIT longRunEnded(title, text);
    if (!QSystemTrayIcon::isSystemTrayAvailable() || !QSystemTrayIcon::supportsMessages()) {
        qCDebug(lcNotify) << "no system tray with messages here: the end of the run is not announced";
        return false;
    }
    if (!m_tray) {
        m_tray = new QSystemTrayIcon(QGuiApplication::windowIcon(), this);
        m_tray->setToolTip(QStringLiteral("Slipway"));
        connect(m_tray, &QSystemTrayIcon::messageClicked, m_window, [this] {
            m_window->show();
            m_window->raise();
            m_window->requestActivate();
        });
    }
    m_tray->show();
    m_tray->showMessage(title, text, ok ? QSystemTrayIcon::Information : QSystemTrayIcon::Warning);
    return true;
}
