pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Dialogs
import QtQuick.Layouts
import Slipway.Ui

// Pick a project, a branch or commit and targets; Build (or Deploy); watch the pipeline, the
// layers and the live log.
Page {
    id: page

    required property DeployController controller
    required property ProjectModel projects

    objectName: "deployPage"
    padding: 24

    function startBuild() {
        if (page.controller.busy)
            return
        if (page.controller.build())
            page.projects.remember(page.controller.project)
    }
    function startDeploy() {
        if (page.controller.busy || !page.controller.canDeploy)
            return
        if (page.controller.deploy())
            page.projects.remember(page.controller.project)
    }

    Shortcut {
        sequence: "Ctrl+B"
        enabled: page.visible
        onActivated: page.startBuild()
    }
    Shortcut {
        sequences: ["Ctrl+Return", "Ctrl+Enter"]
        enabled: page.visible && page.controller.canDeploy
        onActivated: page.startDeploy()
    }
    Shortcut {
        sequence: "Esc"
        enabled: page.visible && page.controller.busy
        onActivated: page.controller.cancel()
    }
    Shortcut {
        sequence: StandardKey.Find
        enabled: page.visible
        onActivated: logView.focusFilter()
    }

    FolderDialog {
        id: folderDialog

        title: qsTr("Choose a project folder or repository")
        onAccepted: page.controller.project = page.projects.fromDialogUrl(selectedFolder)
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 14

        PageHeader {
            Layout.fillWidth: true
            title: qsTr("Deploy")
            subtitle: qsTr("Pick a project, a branch or commit, and targets; then Build or Deploy.")
        }

        GridLayout {
            Layout.fillWidth: true
            columns: 3
            columnSpacing: 10
            rowSpacing: 8

            Label { text: qsTr("Project") }
            ComboBox {
                id: projectBox

                objectName: "projectField"
                Accessible.name: qsTr("Project")
                Layout.fillWidth: true
                editable: true
                model: page.projects.locations
                editText: page.controller.project
                onAccepted: page.controller.project = editText
                onActivated: index => page.controller.project = page.projects.locationAt(index)
                ToolTip.visible: hovered && editText.length > 0
                ToolTip.delay: 800
                ToolTip.text: editText

                // Typing replaces the binding above: a project set elsewhere (Projects, Browse)
                // still shows.
                Connections {
                    target: page.controller
                    function onProjectChanged() {
                        projectBox.editText = page.controller.project
                    }
                }
            }
            Button {
                text: qsTr("Browse…")
                onClicked: folderDialog.open()
            }

            Label { text: qsTr("Branch or commit") }
            ComboBox {
                id: refBox

                objectName: "refBox"
                Layout.fillWidth: true
                editable: true
                model: page.controller.refModel
                textRole: "name"
                enabled: page.controller.refModel.count > 0
                currentIndex: page.controller.refModel.count, page.controller.refModel.indexOf(page.controller.ref)
                onActivated: index => page.controller.ref = page.controller.refModel.nameAt(index)
                onAccepted: page.controller.ref = editText
                delegate: ItemDelegate {
                    id: refItem

                    required property int index
                    required property string name
                    required property string kind
                    required property string shortCommit
                    required property string summary

                    width: ListView.view.width
                    highlighted: refBox.highlightedIndex === index
                    contentItem: RowLayout {
                        spacing: 10
                        Label {
                            text: refItem.name
                            font.bold: true
                        }
                        Label {
                            text: refItem.kind
                            opacity: 0.6
                        }
                        Label {
                            text: refItem.shortCommit
                            font.family: Theme.monospace
                            opacity: 0.8
                        }
                        Label {
                            Layout.fillWidth: true
                            text: refItem.summary
                            elide: Text.ElideRight
                        }
                    }
                }
            }
            Label {
                Layout.maximumWidth: 260
                text: page.controller.refModel.loading ? qsTr("reading refs…")
                      : page.controller.refModel.error.length > 0 ? qsTr("builds the folder as it is")
                      : qsTr("%n ref(s)", "", page.controller.refModel.count)
                opacity: 0.6
                elide: Text.ElideRight
                ToolTip.visible: refsHover.hovered && page.controller.refModel.error.length > 0
                ToolTip.text: page.controller.refModel.error
                HoverHandler { id: refsHover }
            }

            Label {
                visible: environmentBox.visible
                text: qsTr("Environment")
            }
            ComboBox {
                id: environmentBox

                objectName: "environmentBox"
                Layout.fillWidth: true
                Layout.columnSpan: 2
                // Only for a project whose slipway.toml has [env.NAME] tables.
                visible: page.controller.environments.length > 0
                enabled: !page.controller.busy
                model: [qsTr("None: [deploy] as it is")].concat(page.controller.environments)
                currentIndex: page.controller.environments.indexOf(page.controller.environment) + 1
                onActivated: index => page.controller.environment = index === 0 ? "" : page.controller.environments[index - 1]
                Accessible.name: qsTr("Environment")
                ToolTip.visible: hovered
                ToolTip.delay: 800
                ToolTip.text: qsTr("Deploy with slipway.toml's [env.NAME] settings, as its own app, to its targets")
            }

            Label { text: qsTr("Targets") }
            Flow {
                Layout.fillWidth: true
                spacing: 6
                Repeater {
                    model: page.controller.targets
                    delegate: Button {
                        id: chip

                        required property string modelData
                        // This target's state in the current or last rollout, if it took part.
                        readonly property var rollout: page.controller.targetStates.find(t => t.name === chip.modelData)

                        objectName: "target_" + modelData
                        // Picked is told by a check mark and the highlight, not by a shade alone.
                        text: (checked ? "✓ " : "") + (rollout ? modelData + " · " + rollout.state : modelData)
                        checkable: true
                        checked: page.controller.selectedTargets.indexOf(modelData) >= 0
                        highlighted: checked
                        enabled: !page.controller.busy
                        palette.buttonText: !rollout ? page.palette.buttonText
                                            : rollout.state === "healthy" ? Theme.okColour
                                            : rollout.state === "failed" ? Theme.errorColour
                                            : Theme.warningColour
                        onToggled: {
                            const selected = page.controller.selectedTargets.filter(t => t !== modelData)
                            if (checked)
                                selected.push(modelData)
                            page.controller.selectedTargets = selected
                        }
                        ToolTip.visible: hovered && !!rollout && rollout.detail.length > 0
                        ToolTip.text: rollout ? (rollout.transfer ? rollout.detail + "\n" + rollout.transfer : rollout.detail) : ""
                    }
                }
                Label {
                    visible: page.controller.targets.length === 0
                    text: qsTr("No targets yet: add one on the Targets page.")
                    opacity: 0.6
                }
            }
            // A Swarm target's replicas as the rollout follows them: one row each, by slot.
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 2
                visible: page.controller.targetStates.some(t => !!t.replicas && t.replicas.length > 0)
                Repeater {
                    model: page.controller.targetStates.filter(t => !!t.replicas && t.replicas.length > 0)
                    delegate: ColumnLayout {
                        id: replicaTarget

                        required property var modelData

                        Layout.fillWidth: true
                        spacing: 2
                        Label {
                            text: qsTr("Replicas on %1").arg(replicaTarget.modelData.name)
                            font.bold: true
                        }
                        Repeater {
                            model: replicaTarget.modelData.replicas
                            delegate: Label {
                                required property var modelData

                                objectName: "replica_" + replicaTarget.modelData.name + "_" + modelData.slot
                                Layout.fillWidth: true
                                wrapMode: Text.Wrap
                                color: modelData.state === "running" ? Theme.okColour
                                     : modelData.state === "failed" || modelData.state === "rejected" ? Theme.errorColour
                                     : page.palette.windowText
                                //: A Swarm replica: "Replica 2 · node-a · running · release 7", with why it waits or failed after it.
                                text: qsTr("Replica %1 · %2 · %3 · release %4").arg(modelData.slot)
                                          .arg(modelData.node.length > 0 ? modelData.node : qsTr("no node yet"))
                                          .arg(modelData.state).arg(modelData.release)
                                      + (modelData.error.length > 0 ? " · " + modelData.error : "")
                            }
                        }
                    }
                }
            }
            // Where the app answers after a deploy: a click opens it in the browser.
            Flow {
                Layout.fillWidth: true
                spacing: 6
                visible: page.controller.targetStates.some(t => !!t.address)
                Repeater {
                    model: page.controller.targetStates.filter(t => !!t.address)
                    delegate: Button {
                        required property var modelData

                        objectName: "appAddress_" + modelData.name
                        flat: true
                        text: qsTr("Open %1 (%2)").arg(modelData.address).arg(modelData.name)
                        Accessible.name: qsTr("Open the app on %1 in the browser").arg(modelData.name)
                        onClicked: Qt.openUrlExternally(modelData.address)
                    }
                }
            }
            RowLayout {
                spacing: 8
                Button {
                    id: buildButton

                    objectName: "buildButton"
                    text: qsTr("Build")
                    highlighted: !page.controller.canDeploy
                    enabled: !page.controller.busy && page.controller.project.length > 0
                    onClicked: page.startBuild()
                    ToolTip.visible: hovered
                    ToolTip.delay: 800
                    ToolTip.text: qsTr("Build the image only (Ctrl+B)")
                }
                Button {
                    id: deployButton

                    objectName: "deployButton"
                    text: qsTr("Deploy")
                    highlighted: page.controller.canDeploy
                    enabled: page.controller.canDeploy && !page.controller.busy
                                 && page.controller.project.length > 0
                    onClicked: page.startDeploy()
                    // A disabled button gets no hover: the tip shows from the handler around it.
                    ToolTip.visible: deployHover.hovered
                    ToolTip.text: page.controller.canDeploy
                                  ? (page.controller.image.length > 0
                                     ? qsTr("Build, push to %1 and roll out (Ctrl+Return)").arg(page.controller.image)
                                     : qsTr("Build, load into each engine and roll out (Ctrl+Return)"))
                                  : page.controller.deployHint
                    HoverHandler { id: deployHover }
                }
                Button {
                    objectName: "cancelButton"
                    text: qsTr("Cancel")
                    enabled: page.controller.busy
                    onClicked: page.controller.cancel()
                    ToolTip.visible: hovered
                    ToolTip.delay: 800
                    ToolTip.text: qsTr("Stop the run (Esc)")
                }
            }
        }

        RowLayout {
            Layout.fillWidth: true
            spacing: 10
            Label { text: qsTr("Push to") }
            TextField {
                objectName: "imageField"
                Accessible.name: qsTr("Push to")
                Layout.fillWidth: true
                text: page.controller.image
                placeholderText: qsTr("registry/repository:tag, or empty to load the image straight into each engine")
                onEditingFinished: page.controller.image = text
                enabled: !page.controller.busy
            }
        }

        PipelineStrip {
            Layout.fillWidth: true
            stages: page.controller.stages
        }

        Label {
            objectName: "resultLabel"
            Layout.fillWidth: true
            visible: text.length > 0
            wrapMode: Text.Wrap
            color: page.controller.status === "failed" ? Theme.errorColour
                   : page.controller.status === "cancelled" ? Theme.warningColour : palette.text
            text: page.controller.status === "done" || page.controller.status === "cancelled"
                  ? page.controller.summary : page.controller.error
        }

        SplitView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            orientation: Qt.Vertical

            LayerList {
                SplitView.preferredHeight: 170
                SplitView.minimumHeight: 80
                model: page.controller.layerModel
            }
            LogView {
                id: logView

                objectName: "logPanel"
                SplitView.fillHeight: true
                SplitView.minimumHeight: 120
                model: page.controller.logFilter
                viewModel: page.controller.logViewModel
                textOfRows: (first, last) => page.controller.logText(first, last)
            }
        }
    }
}
