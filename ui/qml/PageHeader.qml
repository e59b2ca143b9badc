import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A page's title and a line saying what the page is for.
ColumnLayout {
    id: header

    required property string title
    property string subtitle

    // A layout fills its parent layout's height by default; a header takes only what it needs.
    Layout.fillHeight: false
    Layout.alignment: Qt.AlignTop
    spacing: 4

    Label {
        text: header.title
        font.pixelSize: 24
        font.bold: true
    }
    Label {
        Layout.fillWidth: true
        visible: header.subtitle.length > 0
        text: header.subtitle
        opacity: 0.7
        wrapMode: Text.Wrap
    }
}
