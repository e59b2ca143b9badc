pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Slipway.Ui

// The deployments, newest first, filtered by project, target and result; the selected one's
// stored log, the release's layers and image digest beside the list. Read again each time the
// page is shown and after a run ends (Main.qml).
Page {
    id: page

    required property HistoryModel history
    required property DeployController deploy
    required property AppLogsController appLogs

    // Asks for the Deploy page, where a redeploy's or rollback's live log is.
    signal showRun()

    objectName: "historyPage"
    padding: 24

    onVisibleChanged: if (visible) page.history.refresh()

    component FilterBox: ComboBox {
        id: box

        required property string allText
        required property var choices
        required property string current
        signal chosen(string value)

        Layout.preferredWidth: 180
        model: [box.allText].concat(box.choices)
        currentIndex: box.current.length === 0 ? 0 : Math.max(0, box.choices.indexOf(box.current) + 1)
        onActivated: index => box.chosen(index === 0 ? "" : box.choices[index - 1])
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 18

        PageHeader {
            Layout.fillWidth: true
            title: qsTr("History")
            subtitle: qsTr("Every deployment: which commit went where, when, and how it went.")
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: 8
            FilterBox {
                objectName: "projectFilter"
                Accessible.name: qsTr("Project")
                allText: qsTr("All projects")
                choices: page.history.projects
                current: page.history.projectFilter
                onChosen: value => page.history.projectFilter = value
            }
            FilterBox {
                objectName: "targetFilter"
                Accessible.name: qsTr("Target")
                allText: qsTr("All targets")
                choices: page.history.targets
                current: page.history.targetFilter
                onChosen: value => page.history.targetFilter = value
            }
            FilterBox {
                objectName: "resultFilter"
                Accessible.name: qsTr("Result")
                allText: qsTr("All results")
                choices: page.history.results
                current: page.history.resultFilter
                onChosen: value => page.history.resultFilter = value
            }
            Item { Layout.fillWidth: true }
            BusyIndicator {
                Layout.preferredHeight: 28
                Layout.preferredWidth: 28
                running: page.history.busy
            }
            Button {
                text: qsTr("Refresh")
                onClicked: page.history.refresh()
            }
        }

        // A rollout killed half-way may have left an app down: say so above everything, with
        // the way out.
        Frame {
            objectName: "repairBanner"
            Layout.fillWidth: true
            visible: page.history.unrepairedCount > 0
            RowLayout {
                anchors.fill: parent
                spacing: 10
                Label {
                    text: "⚠"
                    color: Theme.warningColour
                    font.bold: true
                }
                Label {
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    text: qsTr("%n deployment(s) stopped half-way (the process running them ended): an app may be down. Repair puts back the release that ran before.", "", page.history.unrepairedCount)
                }
                Button {
                    objectName: "repairAllButton"
                    text: qsTr("Repair")
                    enabled: !page.deploy.busy
                    onClicked: page.deploy.repair("")
                }
            }
        }

        Label {
            visible: text.length > 0
            text: page.history.error
            color: Theme.errorColour
            Layout.fillWidth: true
            wrapMode: Text.Wrap
        }

        SplitView {
            Layout.fillWidth: true
            Layout.fillHeight: true

            ListView {
                id: view

                objectName: "historyList"
                SplitView.preferredWidth: parent.width * 0.5
                SplitView.minimumWidth: 320
                clip: true
                model: page.history
                ScrollBar.vertical: ScrollBar {}

                delegate: ItemDelegate {
                    id: row

                    required property int index
                    required property var deploymentId
                    required property string when
                    required property string project
                    required property string shortCommit
                    required property string message
                    required property string target
                    required property string result
                    required property string duration
                    required property bool repaired

                    objectName: "deployment_" + deploymentId
                    focusPolicy: Qt.StrongFocus // in the Tab chain; Space selects it
                    Accessible.name: qsTr("%1 to %2, %3, %4").arg(project).arg(target).arg(result).arg(when)
                    width: ListView.view.width
                    highlighted: page.history.selectedId === deploymentId
                    onClicked: page.history.select(index)

                    contentItem: RowLayout {
                        spacing: 10
                        Label {
                            text: row.result === "succeeded" ? "✓" : row.result === "running" ? "◐" : "✗"
                            color: row.highlighted ? palette.highlightedText
                                 : row.result === "succeeded" ? Theme.okColour
                                 : row.result === "running" ? palette.highlight
                                 : row.result === "failed" ? Theme.errorColour : Theme.warningColour
                            font.bold: true
                        }
                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 1
                            Label {
                                Layout.fillWidth: true
                                elide: Text.ElideRight
                                font.bold: true
                                text: qsTr("%1 → %2").arg(row.project).arg(row.target)
                            }
                            // The commit's message beside it takes what room is left.
                            RowLayout {
                                Layout.fillWidth: true
                                spacing: 6
                                opacity: 0.7
                                Label {
                                    Layout.minimumWidth: implicitWidth
                                    text: qsTr("%1 · %2").arg(row.when)
                                          .arg(row.shortCommit.length > 0 ? row.shortCommit : qsTr("no commit"))
                                }
                                Label {
                                    objectName: "message_" + row.deploymentId
                                    Layout.fillWidth: true
                                    elide: Text.ElideRight
                                    text: row.message
                                }
                                Label {
                                    Layout.minimumWidth: implicitWidth
                                    text: qsTr("%1 · %2").arg(row.repaired ? qsTr("interrupted, repaired") : row.result)
                                          .arg(row.duration)
                                }
                            }
                        }
                    }
                }

                EmptyState {
                    anchors.fill: parent
                    visible: view.count === 0
                    heading: qsTr("No deployments yet")
                    explanation: qsTr("Each deployment is listed here with its commit, target, result and log.")
                }
            }

            ColumnLayout {
                objectName: "historyDetail"
                SplitView.fillWidth: true
                SplitView.minimumWidth: 300
                spacing: 8

                Label {
                    visible: page.history.selectedId === 0
                    text: qsTr("Select a deployment to see its log, layers and image.")
                    opacity: 0.6
                    Layout.leftMargin: 12
                }

                GridLayout {
                    visible: page.history.selectedId !== 0
                    Layout.leftMargin: 12
                    Layout.fillWidth: true
                    columns: 2
                    columnSpacing: 10
                    Label { text: qsTr("Image"); opacity: 0.7 }
                    Label {
                        Layout.fillWidth: true
                        text: page.history.detailImage
                        elide: Text.ElideMiddle
                    }
                    Label { text: qsTr("Digest"); opacity: 0.7 }
                    TextEdit {
                        objectName: "detailDigest"
                        Layout.fillWidth: true
                        text: page.history.detailDigest
                        readOnly: true
                        selectByMouse: true
                        font.family: Theme.monospace
                        color: palette.windowText
                        wrapMode: TextEdit.WrapAnywhere
                    }
                    Label { text: qsTr("Ref"); opacity: 0.7 }
                    Label { text: page.history.detailRef }
                    Label {
                        text: qsTr("Error")
                        opacity: 0.7
                        visible: page.history.detailError.length > 0
                    }
                    Label {
                        Layout.fillWidth: true
                        visible: page.history.detailError.length > 0
                        text: page.history.detailError
                        color: Theme.errorColour
                        wrapMode: Text.Wrap
                    }
                }

                Repeater {
                    objectName: "detailLayers"
                    model: page.history.detailLayers
                    delegate: Label {
                        required property var modelData
                        Layout.leftMargin: 12
                        Layout.fillWidth: true
                        elide: Text.ElideRight
                        text: qsTr("%1  %2  %3").arg(modelData.name).arg(modelData.digest.substring(7, 19))
                              .arg(Theme.formatSize(modelData.size))
                    }
                }

                ScrollView {
                    Layout.fillWidth: true
                    Layout.fillHeight: true
                    visible: page.history.selectedId !== 0
                    TextArea {
                        objectName: "detailLog"
                        Accessible.name: qsTr("Deployment log")
                        readOnly: true
                        selectByMouse: true
                        font.family: Theme.monospace
                        wrapMode: TextEdit.NoWrap
                        text: page.history.detailLog.length > 0 ? page.history.detailLog : qsTr("(no log stored)")
                    }
                }

                RowLayout {
                    Layout.leftMargin: 12
                    Layout.fillWidth: true
                    visible: page.history.selectedId !== 0
                    spacing: 8
                    Button {
                        objectName: "redeployButton"
                        text: qsTr("Redeploy")
                        enabled: !page.deploy.busy && page.history.detailReleaseId > 0
                        onClicked: confirm.ask("redeploy")
                        ToolTip.visible: hovered
                        ToolTip.delay: 800
                        ToolTip.text: qsTr("Roll this release out to %1 again").arg(page.history.detailTarget)
                    }
                    Button {
                        objectName: "rollbackButton"
                        text: qsTr("Roll back")
                        enabled: !page.deploy.busy && page.history.detailTarget.length > 0
                        onClicked: confirm.ask("rollback")
                        ToolTip.visible: hovered
                        ToolTip.delay: 800
                        ToolTip.text: qsTr("Put the release %1 ran before its current one back").arg(page.history.detailTarget)
                    }
                    Button {
                        objectName: "followLogsButton"
                        text: qsTr("Logs")
                        enabled: page.history.detailApp.length > 0
                        onClicked: {
                            page.appLogs.follow(page.history.detailApp, [page.history.detailTarget])
                            logsDialog.open()
                        }
                        ToolTip.visible: hovered
                        ToolTip.delay: 800
                        ToolTip.text: qsTr("Follow the logs of %1 on %2 as it runs now").arg(page.history.detailApp).arg(page.history.detailTarget)
                    }
                    Button {
                        objectName: "repairButton"
                        text: qsTr("Repair")
                        visible: page.history.detailNeedsRepair
                        enabled: !page.deploy.busy
                        onClicked: page.deploy.repair(page.history.detailTarget)
                        ToolTip.visible: hovered
                        ToolTip.delay: 800
                        ToolTip.text: qsTr("Remove what this deployment left half-done on %1 and start the release that ran before").arg(page.history.detailTarget)
                    }
                    Label {
                        objectName: "runState"
                        readonly property bool shown: page.deploy.runKind === "redeploy" || page.deploy.runKind === "rollback"
                                                      || page.deploy.runKind === "repair"
                        Layout.fillWidth: true
                        elide: Text.ElideRight
                        visible: shown
                        color: page.deploy.status === "failed" ? Theme.errorColour : palette.windowText
                        text: page.deploy.busy ? qsTr("%1 running…").arg(page.deploy.runKind === "rollback" ? qsTr("Rollback")
                                                                          : page.deploy.runKind === "repair" ? qsTr("Repair")
                                                                          : qsTr("Redeploy"))
                              : page.deploy.status === "done" || page.deploy.status === "cancelled"
                              ? page.deploy.summary : page.deploy.error
                    }
                    Button {
                        text: qsTr("Show log")
                        visible: page.deploy.runKind === "redeploy" || page.deploy.runKind === "rollback"
                                 || page.deploy.runKind === "repair"
                        flat: true
                        onClicked: page.showRun()
                    }
                }
            }
        }
    }

    // Redeploy and Roll back replace what runs on a target: they ask first.
    Dialog {
        id: confirm

        property string action: ""
        property string target: ""
        property string app: ""
        property var releaseId: 0

        function ask(which) {
            confirm.action = which
            confirm.target = page.history.detailTarget
            confirm.app = page.history.detailApp
            confirm.releaseId = page.history.detailReleaseId
            if (which === "rollback")
                page.deploy.previewRollback(confirm.target, confirm.app)
            confirm.open()
        }

        objectName: "confirmDialog"
        anchors.centerIn: parent
        modal: true
        title: confirm.action === "rollback" ? qsTr("Roll back %1 on %2?").arg(confirm.app).arg(confirm.target)
                                             : qsTr("Redeploy release %1?").arg(confirm.releaseId)
        standardButtons: Dialog.Ok | Dialog.Cancel
        // A fixed width: the wrapped text's height follows it, never the other way round.
        contentWidth: 440
        Column {
            width: 440
            spacing: 8
            Label {
                width: 440
                wrapMode: Text.Wrap
                text: confirm.action === "rollback"
                      ? qsTr("%1 on %2 goes back to the release it ran there before its current one. The new container takes over once it is healthy: behind the target's proxy with no gap, with published ports after the current one stops. If it does not get healthy, the current one serves again.").arg(confirm.app).arg(confirm.target)
                      : qsTr("Release %1 is rolled out to %2 again. The new container takes over once it is healthy: behind the target's proxy with no gap, with published ports after the current one stops. If it does not get healthy, the current one serves again.").arg(confirm.releaseId).arg(confirm.target)
            }
            // Secrets whose value changed since the release it goes back to, read from the keychain.
            Label {
                objectName: "rollbackNote"
                width: 440
                wrapMode: Text.Wrap
                visible: confirm.action === "rollback" && text.length > 0
                text: page.deploy.rollbackNote
                color: Theme.warningColour
            }
        }
        onAccepted: {
            if (confirm.action === "rollback")
                page.deploy.rollback(confirm.target, confirm.app, 0)
            else
                page.deploy.redeploy(confirm.releaseId, confirm.target)
        }
    }

    // An app's live container logs (the same as `slipway-cli logs --follow`), into its next life;
    // following stops when the dialog closes.
    AppLogsDialog {
        id: logsDialog

        appLogs: page.appLogs
    }
}
