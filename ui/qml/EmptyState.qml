import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// What a page shows while it has nothing to list: what would be here, and how to get it.
ColumnLayout {
    id: empty

    required property string heading
    property string explanation

    spacing: 8

    Label {
        Layout.alignment: Qt.AlignHCenter
        text: empty.heading
        font.pixelSize: 18
    }
    Label {
        Layout.alignment: Qt.AlignHCenter
        Layout.maximumWidth: 460
        text: empty.explanation
        horizontalAlignment: Text.AlignHCenter
        wrapMode: Text.Wrap
        opacity: 0.7
    }
}
