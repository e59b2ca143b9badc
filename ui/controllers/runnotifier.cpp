#include "controllers/runnotifier.h"

#include "controllers/deploycontroller.h"

#include <QDBusConnection>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QGuiApplication>
#include <QLoggingCategory>
#include <QSystemTrayIcon>
#include <QWindow>

Q_LOGGING_CATEGORY(lcNotify, "slipway.gui.notify")

namespace {

const QString notifyService = QStringLiteral("org.freedesktop.Notifications");
const QString notifyPath = QStringLiteral("/org/freedesktop/Notifications");

} // namespace

RunNotifier::RunNotifier(QWindow *window, qint64 longRunMs, QObject *parent)
    : QObject(parent)
    , m_window(window)
    , m_longRunMs(longRunMs)
{
    // Any sender: naming the service would make Qt look its owner up, a call that waits.
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (bus.isConnected())
        bus.connect(QString(), notifyPath, notifyService, QStringLiteral("ActionInvoked"), this,
                    SLOT(actionInvoked(uint, QString)));
}

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

    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected())
        return notifyThroughTray(ok, title, text);
    // Notify(app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout)
    QDBusMessage call =
        QDBusMessage::createMethodCall(notifyService, notifyPath, notifyService, QStringLiteral("Notify"));
    call << QStringLiteral("Slipway") << m_lastId << QStringLiteral("io.slipway.Slipway") << title << text
         << QStringList{QStringLiteral("default"), tr("Show")}
         << QVariantMap{{QStringLiteral("desktop-entry"), QStringLiteral("io.slipway.Slipway")},
                        {QStringLiteral("urgency"), QVariant::fromValue(uchar(ok ? 1 : 2))}}
         << qint32(-1);
    auto *watcher = new QDBusPendingCallWatcher(bus.asyncCall(call), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher, ok, title, text] {
        watcher->deleteLater();
        const QDBusPendingReply<uint> reply = *watcher;
        if (reply.isError()) {
            qCDebug(lcNotify) << "the notification service did not take the message:"
                              << reply.error().message();
            Q_EMIT desktopNotifyFailed(reply.error().message());
            notifyThroughTray(ok, title, text);
            return;
        }
        m_lastId = reply.value();
        Q_EMIT desktopNotified(m_lastId);
    });
    return true;
}

bool RunNotifier::notifyThroughTray(bool ok, const QString &title, const QString &text)
{
    if (!QSystemTrayIcon::isSystemTrayAvailable() || !QSystemTrayIcon::supportsMessages()) {
        qCDebug(lcNotify) << "no notification service and no system tray with messages here: the end of "
                             "the run is not announced";
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

void RunNotifier::actionInvoked(uint id, const QString &action)
{
    if (id == 0 || id != m_lastId || action != u"default")
        return;
    m_window->show();
    m_window->raise();
    m_window->requestActivate();
}
