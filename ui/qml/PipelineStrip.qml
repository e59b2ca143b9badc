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

    // The model is the number of stages, not the list: the list is a new one every 100 ms while a
    // stage runs (its time moves), and as a model it had the Repeater destroy and recreate every
    // stage's Frame each time. A count that stays the same keeps the delegates; only the
    // bindings below read the new list.
    Repeater {
        model: strip.stages.length
        delegate: Frame {
            id: stage

            required property int index
            readonly property var info: strip.stages[index] ?? ({})
            readonly property string state: info.state ?? ""

            objectName: "stage_" + (info.name ?? "")
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
                        text: stage.info.name ?? ""
                        font.bold: true
                        font.capitalization: Font.Capitalize
                    }
                    Label {
                        objectName: "stageState"
                        text: stage.info.started
                              ? qsTr("%1 · %2 s").arg(stage.state).arg((stage.info.elapsedMs / 1000).toFixed(1))
                              : stage.state
                        opacity: 0.7
                    }
                }
                Item { Layout.fillWidth: true }
            }
        }
    }
}
