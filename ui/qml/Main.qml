pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Slipway.Ui

ApplicationWindow {
    id: window

    required property Navigation navigation
    required property DeployController deploy
    required property AppSettings settings
    required property ProjectModel projects
    required property TargetModel targets
    required property AppModel apps
    required property HistoryModel history
    required property LoginModel logins
    required property AppLogsController appLogs
    required property SecretModel secrets

    width: 1200
    height: 760
    minimumWidth: 800
    minimumHeight: 500
    visible: true
    title: qsTr("Slipway — %1").arg(navigation.titles[navigation.currentIndex])

    // Status colours in the shade that reads on this palette.
    Binding {
        target: Theme
        property: "dark"
        value: window.palette.window.hslLightness < 0.5
    }

    // What the history holds on startup: an interrupted deployment is flagged at once.
    Component.onCompleted: window.history.refresh()

    // A run that ended may have added a release or a deployment.
    Connections {
        target: window.deploy
        function onFinished() {
            window.history.refresh()
            window.targets.refresh()
            if (window.navigation.currentPage === "Apps")
                window.apps.refresh()
        }
    }
    // Targets added or removed on the Targets page are offered on the Deploy page.
    Connections {
        target: window.targets
        function onRefreshed() {
            window.deploy.reloadTargets()
        }
    }

    RowLayout {
        anchors.fill: parent
        spacing: 0

        NavigationRail {
            Layout.fillHeight: true
            Layout.preferredWidth: 184
            pages: window.navigation.pages
            titles: window.navigation.titles
            currentIndex: window.navigation.currentIndex
            attention: window.history.unrepairedCount > 0 ? ["History"] : []
            onPageChosen: index => window.navigation.currentIndex = index
        }

        StackLayout {
            objectName: "pageStack"
            Layout.fillWidth: true
            Layout.fillHeight: true
            currentIndex: window.navigation.currentIndex

            DeployPage {
                controller: window.deploy
                projects: window.projects
            }
            AppsPage {
                apps: window.apps
                appLogs: window.appLogs
                secrets: window.secrets
            }
            HistoryPage {
                history: window.history
                deploy: window.deploy
                appLogs: window.appLogs
                onShowRun: window.navigation.currentIndex = 0
            }
            TargetsPage {
                targets: window.targets
            }
            ProjectsPage {
                projects: window.projects
                onOpenProject: location => {
                    window.deploy.project = location
                    window.navigation.currentIndex = 0
                }
            }
            SettingsPage {
                settings: window.settings
                logins: window.logins
            }
        }
    }
}
