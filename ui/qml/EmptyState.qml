import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// What a page shows while it has nothing to list: what would be here, and how to get it.
// It takes the space the page leaves and centres its text there.
Item {
    id: empty

    required property string heading
    property string explanation

    Layout.fillWidth: true
    Layout.fillHeight: true
    implicitWidth: column.implicitWidth
    implicitHeight: column.implicitHeight

    ColumnLayout {
        id: column

        anchors.centerIn: parent
        width: Math.min(empty.width, 460)
        spacing: 8

        Label {
            Layout.alignment: Qt.AlignHCenter
            text: empty.heading
            font.pixelSize: 18
        }
        Label {
            Layout.fillWidth: true
            text: empty.explanation
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            opacity: 0.7
        }
    }
}
