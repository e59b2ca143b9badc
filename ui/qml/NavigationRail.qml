pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The left column: the product name and one entry per page.
Pane {
    id: rail

    property list<string> pages
    property list<string> titles // the pages' names as shown
    property int currentIndex: 0
    // Pages that need the user's attention ("History" when a deployment waits for repair): a
    // warning mark beside their name.
    property list<string> attention
    signal pageChosen(int index)

    padding: 0
    background: Rectangle {
        color: rail.palette.alternateBase
        Rectangle {
            anchors.right: parent.right
            width: 1
            height: parent.height
            color: rail.palette.mid
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.topMargin: 16
        spacing: 2

        Label {
            Layout.leftMargin: 20
            Layout.bottomMargin: 16
            text: "Slipway" // notr: the product name
            font.pixelSize: 22
            font.bold: true
        }

        Repeater {
            model: rail.pages
            delegate: ItemDelegate {
                id: entry

                required property string modelData
                required property int index

                objectName: "nav" + modelData
                focusPolicy: Qt.StrongFocus // in the Tab chain; Space opens the page
                Layout.fillWidth: true
                Layout.leftMargin: 8
                Layout.rightMargin: 8
                readonly property string title: rail.titles[index] ?? modelData

                text: rail.attention.indexOf(modelData) >= 0 ? entry.title + "  ⚠" : entry.title
                highlighted: index === rail.currentIndex
                font.pixelSize: 15
                leftPadding: 14
                onClicked: rail.pageChosen(index)
                ToolTip.visible: hovered
                ToolTip.delay: 800
                ToolTip.text: qsTr("%1 (Ctrl+%2)").arg(entry.title).arg(entry.index + 1)

                Shortcut {
                    sequence: "Ctrl+" + (entry.index + 1)
                    onActivated: rail.pageChosen(entry.index)
                }
            }
        }

        Item { Layout.fillHeight: true }
    }
}
