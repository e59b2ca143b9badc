pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Fetch, build, push, deploy: each stage's state as an icon and colour, and its time.
RowLayout {
    id: strip

    // [{ name, state, elapsedMs, started }] from DeployController.stages
    property var stages: []

    spacing: 8

    Repeater {
        model: strip.stages
        delegate: Frame {
            id: stage

            required property var modelData
            required property int index
            readonly property string state: modelData.state

            objectName: "stage_" + modelData.name
            Layout.fillWidth: true
            padding: 8

            RowLayout {
                anchors.fill: parent
                spacing: 8

                Label {
                    text: Theme.stateIcon(stage.state)
                    color: Theme.stateColour(stage.state, stage.palette)
                    font.pixelSize: 18
                    // No spinning icon: an endless animation would redraw the window 60 times a
                    // second during the whole build; the elapsed time below moves instead.
                }
                ColumnLayout {
                    spacing: 0
                    Label {
                        text: stage.modelData.name
                        font.bold: true
                        font.capitalization: Font.Capitalize
                    }
                    Label {
                        objectName: "stageState"
                        text: stage.modelData.started
                              ? qsTr("%1 · %2 s").arg(stage.state).arg((stage.modelData.elapsedMs / 1000).toFixed(1))
                              : stage.state
                        opacity: 0.7
                    }
                }
                Item { Layout.fillWidth: true }
            }
        }
    }
}
