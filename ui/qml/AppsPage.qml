pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Slipway.Ui

// What runs: every app Slipway deployed, per target, as the engine has it beside what the
// history says (a container changed or removed by hand shows as drift), with its release,
// uptime, restarts and, while the page is shown, its CPU and memory; a Swarm service also its
// replicas and the node of each. Stop, start, restart and
// remove (confirmed) act on one app on one target, and for an app behind the target's proxy
// maintenance (the proxy answers 503 with a page) and live; each is recorded in the history; Logs
// follows it live; Secrets sets the values of the secrets its slipway.toml names. Read again every few seconds while shown; an unreachable target is marked.
Page {
    id: page

    required property AppModel apps
    required property AppLogsController appLogs
    required property SecretModel secrets

    // The app and target the remove question is about (by name: rows may move meanwhile).
    property string removeApp: ""
    property string removeTarget: ""
    property string notice: ""

    objectName: "appsPage"
    padding: 24

    onVisibleChanged: if (visible && page.apps) page.apps.refresh()

    // Stats stream only while the page shows.
    Binding {
        target: page.apps
        property: "statsActive"
        value: page.visible
    }

    Timer {
        interval: 5000
        repeat: true
        running: page.visible
        onTriggered: if (!page.apps.busy) page.apps.refresh()
    }

    Connections {
        target: page.apps
        function onOperated(ok: bool, message: string) {
            page.notice = ok ? message : ""
        }
    }

    function stateColour(state: string): color {
        switch (state) {
        case "running": return Theme.okColour
        case "starting": return palette.highlight
        case "stopped": return palette.mid
        case "unreachable": return Theme.warningColour
        default: return Theme.errorColour
        }
    }

    function stateIcon(state: string): string {
        switch (state) {
        case "running": return "●"
        case "starting": return "◐"
        case "stopped": return "■"
        case "unreachable": return "?"
        default: return "✗"
        }
    }

    function uptime(started: var): string {
        if (!started || isNaN(started.getTime()))
            return ""
        const seconds = Math.max(0, Math.floor((Date.now() - started.getTime()) / 1000))
        if (seconds < 60)
            return qsTr("%1 s").arg(seconds)
        if (seconds < 3600)
            return qsTr("%1 min").arg(Math.floor(seconds / 60))
        if (seconds < 86400)
            return qsTr("%1 h %2 min").arg(Math.floor(seconds / 3600)).arg(Math.floor(seconds / 60) % 60)
        return qsTr("%1 d %2 h").arg(Math.floor(seconds / 86400)).arg(Math.floor(seconds / 3600) % 24)
    }

    Dialog {
        id: confirmRemove

        objectName: "confirmRemoveApp"
        anchors.centerIn: parent
        modal: true
        title: qsTr("Remove %1 on %2?").arg(page.removeApp).arg(page.removeTarget)
        standardButtons: Dialog.Ok | Dialog.Cancel
        Label {
            width: 420
            wrapMode: Text.Wrap
            text: qsTr("Its containers are stopped and removed; the images and the history stay, so a redeploy or rollback brings it back.")
        }
        onAccepted: page.apps.operate(page.apps.indexOf(page.removeApp, page.removeTarget), "remove")
    }

    AppLogsDialog {
        id: logsDialog

        appLogs: page.appLogs
    }

    SecretsDialog {
        id: secretsDialog

        secrets: page.secrets
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 18

        RowLayout {
            Layout.fillWidth: true
            PageHeader {
                Layout.fillWidth: true
                title: qsTr("Apps")
                subtitle: qsTr("What runs on each target now, and whether it is what Slipway deployed.")
            }
            // Shown for a read that takes a while, not flashed for one that ends at once (a
            // local engine answers in tens of milliseconds): a spinner started and stopped
            // within a frame kept the window drawing ~140 frames a second. The timer runs for
            // the first 300 ms of each read.
            BusyIndicator {
                Layout.preferredHeight: 28
                Layout.preferredWidth: 28
                running: page.apps.busy && !readStart.running
                Timer {
                    id: readStart
                    interval: 300
                    running: page.apps.busy
                }
            }
            Button {
                objectName: "secretsButton"
                text: qsTr("Secrets…")
                onClicked: secretsDialog.showApp(page.secrets.app)
            }
            Button {
                objectName: "refreshAppsButton"
                text: qsTr("Refresh")
                onClicked: page.apps.refresh()
            }
        }

        Label {
            objectName: "unreachableTargets"
            Layout.fillWidth: true
            visible: page.apps.unreachableTargets.length > 0
            text: qsTr("⚠ Not reachable now: %1. Their apps are shown as the history has them.").arg(page.apps.unreachableTargets.join(", "))
            color: Theme.warningColour
            wrapMode: Text.Wrap
        }
        Label {
            objectName: "appsError"
            Layout.fillWidth: true
            visible: text.length > 0
            text: page.apps.error
            color: Theme.errorColour
            wrapMode: Text.Wrap
        }
        Label {
            objectName: "appsNotice"
            Layout.fillWidth: true
            visible: text.length > 0 && page.apps.error.length === 0
            text: page.notice
            opacity: 0.8
            elide: Text.ElideRight
        }

        ListView {
            id: view

            objectName: "appList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            clip: true
            spacing: 4
            model: page.apps
            ScrollBar.vertical: ScrollBar {}
            activeFocusOnTab: true
            keyNavigationEnabled: true

            delegate: ItemDelegate {
                id: row

                required property int index
                required property string app
                required property string target
                required property string state
                required property string health
                required property string release
                required property string commit
                required property string message
                required property var started
                required property int restarts
                required property string drift
                required property bool reachable
                required property string targetError
                required property real cpu
                required property real memory
                required property real memoryLimit
                required property bool operating
                required property string lastOperation
                required property string container
                required property bool proxied
                required property bool maintenance
                required property string replicas

                readonly property bool running: row.state === "running" || row.state === "starting" || row.state === "unhealthy" || row.state === "degraded"

                objectName: "app_" + app + "_" + target
                Accessible.name: qsTr("%1 on %2, %3").arg(app).arg(target).arg(state)
                width: ListView.view.width
                highlighted: ListView.isCurrentItem
                onClicked: view.currentIndex = row.index

                contentItem: RowLayout {
                    spacing: 12
                    Label {
                        objectName: "appStateIcon"
                        text: page.stateIcon(row.state)
                        color: page.stateColour(row.state)
                        font.pixelSize: 18
                        Accessible.name: row.state
                    }
                    ColumnLayout {
                        Layout.fillWidth: true
                        spacing: 2
                        RowLayout {
                            spacing: 8
                            Label {
                                text: qsTr("%1 on %2").arg(row.app).arg(row.target)
                                font.bold: true
                            }
                            Label {
                                objectName: "appState"
                                text: row.health.length > 0 && row.health !== row.state ? qsTr("%1 (%2)").arg(row.state).arg(row.health) : row.state
                                color: page.stateColour(row.state)
                            }
                        }
                        Label {
                            objectName: "appRelease"
                            Layout.fillWidth: true
                            elide: Text.ElideRight
                            opacity: 0.85
                            text: {
                                let parts = []
                                if (row.release.length > 0)
                                    parts.push(qsTr("release %1").arg(row.release))
                                if (row.commit.length > 0)
                                    parts.push(qsTr("commit %1").arg(row.commit.substring(0, 7)))
                                if (row.message.length > 0)
                                    parts.push(row.message)
                                if (row.running && page.uptime(row.started).length > 0)
                                    parts.push(qsTr("up %1").arg(page.uptime(row.started)))
                                if (row.running && row.restarts > 0)
                                    parts.push(qsTr("%n restart(s)", "", row.restarts))
                                return parts.join(" · ")
                            }
                        }
                        Label {
                            objectName: "appReplicas"
                            Layout.fillWidth: true
                            visible: row.replicas.length > 0
                            text: row.replicas
                            opacity: 0.85
                            elide: Text.ElideRight
                        }
                        Label {
                            objectName: "appStats"
                            visible: row.running && row.cpu >= 0
                            opacity: 0.85
                            text: qsTr("CPU %1% · memory %2").arg(row.cpu.toFixed(1)).arg(Theme.formatSize(row.memory))
                                  + (row.memoryLimit > 0 ? qsTr(" of %1").arg(Theme.formatSize(row.memoryLimit)) : "")
                        }
                        Label {
                            objectName: "appDrift"
                            Layout.fillWidth: true
                            visible: row.drift.length > 0
                            text: qsTr("⚠ Drift: %1").arg(row.drift)
                            color: Theme.warningColour
                            wrapMode: Text.Wrap
                        }
                        Label {
                            Layout.fillWidth: true
                            visible: !row.reachable
                            text: row.targetError
                            color: Theme.warningColour
                            elide: Text.ElideRight
                        }
                        Label {
                            objectName: "appMaintenance"
                            Layout.fillWidth: true
                            visible: row.maintenance
                            text: qsTr("In maintenance: the proxy answers its requests with 503 and a maintenance page")
                            color: Theme.warningColour
                            wrapMode: Text.Wrap
                        }
                        Label {
                            objectName: "appLastOperation"
                            Layout.fillWidth: true
                            visible: row.lastOperation.length > 0
                            text: qsTr("Last by hand: %1").arg(row.lastOperation)
                            opacity: 0.7
                            elide: Text.ElideRight
                        }
                    }
                    BusyIndicator {
                        Layout.preferredHeight: 24
                        Layout.preferredWidth: 24
                        running: row.operating
                        visible: row.operating
                    }
                    Button {
                        objectName: "appLogsButton"
                        text: qsTr("Logs")
                        enabled: row.reachable && row.state !== "missing"
                        onClicked: {
                            page.appLogs.follow(row.app, [row.target])
                            logsDialog.open()
                        }
                    }
                    Button {
                        objectName: "appSecretsButton"
                        text: qsTr("Secrets")
                        onClicked: secretsDialog.showApp(row.app)
                    }
                    Button {
                        objectName: "appStopButton"
                        text: qsTr("Stop")
                        visible: row.running
                        enabled: row.reachable && !row.operating
                        onClicked: page.apps.operate(row.index, "stop")
                    }
                    Button {
                        objectName: "appStartButton"
                        text: qsTr("Start")
                        visible: !row.running
                        enabled: row.reachable && !row.operating && row.state !== "missing"
                        onClicked: page.apps.operate(row.index, "start")
                    }
                    Button {
                        objectName: "appRestartButton"
                        text: qsTr("Restart")
                        enabled: row.reachable && !row.operating && row.state !== "missing"
                        onClicked: page.apps.operate(row.index, "restart")
                    }
                    Button {
                        objectName: "appMaintenanceButton"
                        text: qsTr("Maintenance")
                        visible: row.proxied && !row.maintenance
                        enabled: row.reachable && !row.operating
                        ToolTip.visible: hovered
                        ToolTip.delay: 800
                        ToolTip.text: qsTr("The proxy answers %1's requests with 503 and a maintenance page; its containers keep running").arg(row.app)
                        onClicked: page.apps.operate(row.index, "maintenance")
                    }
                    Button {
                        objectName: "appLiveButton"
                        text: qsTr("Live")
                        visible: row.maintenance
                        enabled: row.reachable && !row.operating
                        ToolTip.visible: hovered
                        ToolTip.delay: 800
                        ToolTip.text: qsTr("The proxy serves %1 again").arg(row.app)
                        onClicked: page.apps.operate(row.index, "live")
                    }
                    Button {
                        objectName: "appRemoveButton"
                        text: qsTr("Remove…")
                        enabled: row.reachable && !row.operating && row.state !== "missing"
                        onClicked: {
                            page.removeApp = row.app
                            page.removeTarget = row.target
                            confirmRemove.open()
                        }
                    }
                }
            }

            EmptyState {
                anchors.fill: parent
                visible: view.count === 0 && !page.apps.busy
                heading: qsTr("No apps yet")
                explanation: qsTr("Apps appear here once Slipway has deployed them: pick a project and targets on the Deploy page.")
            }
        }
    }
}
