#pragma once

#include "controllers/applogscontroller.h"
#include "controllers/appsettings.h"
#include "controllers/deploycontroller.h"
#include "models/appmodel.h"
#include "models/historymodel.h"
#include "models/loginmodel.h"
#include "models/projectmodel.h"
#include "models/secretmodel.h"
#include "models/targetmodel.h"
#include "navigation.h"

#include <QString>
#include <QUrl>
#include <QVariantMap>

// Everything the window shows, made and wired in one place: the app, the tests and the GUI
// benchmark build the same window from it. Members are made in the order they are declared
// (the deploy controller takes the settings) and must outlive the QML engine that shows them.
struct Console
{
    // dataDir: as --data-dir (empty: $SLIPWAY_HOME or the XDG directories). sampleProject: the
    // project a newcomer's first launch lists; empty for none.
    explicit Console(const QString &dataDir, const QString &sampleProject = QString());
    Console(const Console &) = delete;
    Console &operator=(const Console &) = delete;

    // Main.qml's required properties.
    QVariantMap windowProperties();
    // Where Main.qml is served from.
    static QUrl windowUrl();

    Navigation navigation;
    AppSettings settings;
    ProjectModel projects;
    DeployController deploy;
    TargetModel targets;
    AppModel apps;
    HistoryModel history;
    LoginModel logins;
    AppLogsController appLogs;
    SecretModel secrets;
};
