#include "console.h"

#include "history/history.h"
#include "util/paths.h"

Console::Console(const QString &dataDir, const QString &sampleProject)
    : settings(slipway::DataDirs::resolve(dataDir).cache)
    , projects(settings.cacheLocation(), sampleProject)
    , deploy(dataDir, &settings)
    , targets(slipway::History::defaultPath(slipway::DataDirs::resolve(dataDir).data))
    , apps(slipway::History::defaultPath(slipway::DataDirs::resolve(dataDir).data))
    , history(slipway::History::defaultPath(slipway::DataDirs::resolve(dataDir).data))
    , logins(dataDir)
    , appLogs(dataDir)
    , secrets(dataDir)
{}

QVariantMap Console::windowProperties()
{
    return {{QStringLiteral("navigation"), QVariant::fromValue(&navigation)},
            {QStringLiteral("deploy"), QVariant::fromValue(&deploy)},
            {QStringLiteral("settings"), QVariant::fromValue(&settings)},
            {QStringLiteral("projects"), QVariant::fromValue(&projects)},
            {QStringLiteral("targets"), QVariant::fromValue(&targets)},
            {QStringLiteral("apps"), QVariant::fromValue(&apps)},
            {QStringLiteral("history"), QVariant::fromValue(&history)},
            {QStringLiteral("logins"), QVariant::fromValue(&logins)},
            {QStringLiteral("appLogs"), QVariant::fromValue(&appLogs)},
            {QStringLiteral("secrets"), QVariant::fromValue(&secrets)}};
}

QUrl Console::windowUrl()
{
    return QUrl(QStringLiteral("qrc:/qt/qml/Slipway/Ui/Main.qml"));
}
