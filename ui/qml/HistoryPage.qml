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
                allText: qsTr("All projects")
                choices: page.history.projects
                current: page.history.projectFilter
                onChosen: value => page.history.projectFilter = value
            }
            FilterBox {
                objectName: "targetFilter"
                allText: qsTr("All targets")
                choices: page.history.targets
                current: page.history.targetFilter
                onChosen: value => page.history.targetFilter = value
            }
            FilterBox {
                objectName: "resultFilter"
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
                    required property string target
                    required property string result
                    required property string duration

                    objectName: "deployment_" + deploymentId
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
                            Label {
                                Layout.fillWidth: true
                                elide: Text.ElideRight
                                opacity: 0.7
                                text: qsTr("%1 · %2 · %3 · %4").arg(row.when)
                                      .arg(row.shortCommit.length > 0 ? row.shortCommit : qsTr("no commit"))
                                      .arg(row.result).arg(row.duration)
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
                        readOnly: true
                        selectByMouse: true
                        font.family: Theme.monospace
                        wrapMode: TextEdit.NoWrap
                        text: page.history.detailLog.length > 0 ? page.history.detailLog : qsTr("(no log stored)")
                    }
                }

                RowLayout {
                    Layout.leftMargin: 12
                    visible: page.history.selectedId !== 0
                    spacing: 8
                    HoverHandler { id: actionsHover }
                    Button {
                        objectName: "redeployButton"
                        text: qsTr("Redeploy")
                        enabled: false
                    }
                    Button {
                        objectName: "rollbackButton"
                        text: qsTr("Rollback")
                        enabled: false
                    }
                    ToolTip.visible: actionsHover.hovered
                    ToolTip.text: qsTr("Deploying from the window comes with the rollout work")
                }
            }
        }
    }
}
