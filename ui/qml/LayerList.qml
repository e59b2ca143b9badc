pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Slipway.Ui

// The image's layers as they build: name, files, size, compressed size, progress, a cache-hit
// mark and the short digest.
ColumnLayout {
    id: list

    required property LayerModel model

    spacing: 2

    // The columns, shared by the header and the rows: icon, name (what is left), files, size,
    // compressed, progress, digest.
    readonly property var columnWidths: [14, 0, 70, 90, 90, 140, 130]
    readonly property int gap: 12
    readonly property int margin: 8
    readonly property real nameWidth: Math.max(60, width - 2 * margin - 6 * gap
                                               - columnWidths.reduce((sum, w) => sum + w, 0))
    readonly property var columnX: {
        const xs = []
        let x = margin
        for (let i = 0; i < columnWidths.length; ++i) {
            xs.push(x)
            x += (i === 1 ? nameWidth : columnWidths[i]) + gap
        }
        return xs
    }
    readonly property real rowHeight: Math.ceil(header.implicitHeight) + 8

    SystemPalette { id: colours }

    component CellText: Text {
        anchors.verticalCenter: parent.verticalCenter
        color: colours.text
        textFormat: Text.PlainText
        elide: Text.ElideRight
    }

    Item {
        id: header

        Layout.fillWidth: true
        implicitHeight: headerName.implicitHeight
        opacity: 0.7
        CellText { id: headerName; x: list.columnX[1]; width: list.nameWidth; text: qsTr("Layer"); font.bold: true }
        CellText { x: list.columnX[2]; width: list.columnWidths[2]; horizontalAlignment: Text.AlignRight; text: qsTr("Files"); font.bold: true }
        CellText { x: list.columnX[3]; width: list.columnWidths[3]; horizontalAlignment: Text.AlignRight; text: qsTr("Size"); font.bold: true }
        CellText { x: list.columnX[4]; width: list.columnWidths[4]; horizontalAlignment: Text.AlignRight; text: qsTr("Compressed"); font.bold: true }
        CellText { x: list.columnX[5]; width: list.columnWidths[5]; text: qsTr("Progress"); font.bold: true }
        CellText { x: list.columnX[6]; width: list.columnWidths[6]; text: qsTr("Digest"); font.bold: true }
    }

    ListView {
        id: view

        objectName: "layerView"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        model: list.model
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar {}

        // Plain Text and two rectangles rather than controls and layouts: a build's layers all
        // arrive at once, and every row made costs the GUI thread while the log floods in.
        delegate: Item {
            id: row

            required property int index
            required property string name
            required property string stateName
            required property var files
            required property var bytesIn
            required property var bytesOut
            required property real progress
            required property bool cached
            required property string shortDigest

            width: ListView.view.width
            height: list.rowHeight

            CellText {
                x: list.columnX[0]
                width: 14
                text: Theme.stateIcon(row.stateName)
                color: Theme.stateColour(row.stateName, colours)
            }
            CellText {
                x: list.columnX[1]
                width: list.nameWidth
                text: row.name
            }
            CellText {
                x: list.columnX[2]
                width: list.columnWidths[2]
                horizontalAlignment: Text.AlignRight
                text: Number(row.files).toLocaleString(Qt.locale(), "f", 0)
            }
            CellText {
                x: list.columnX[3]
                width: list.columnWidths[3]
                horizontalAlignment: Text.AlignRight
                text: Theme.formatSize(row.bytesIn)
            }
            CellText {
                x: list.columnX[4]
                width: list.columnWidths[4]
                horizontalAlignment: Text.AlignRight
                text: Theme.formatSize(row.bytesOut)
            }
            Rectangle {
                x: list.columnX[5]
                width: row.cached ? list.columnWidths[5] - 56 : list.columnWidths[5]
                height: 6
                radius: 3
                anchors.verticalCenter: parent.verticalCenter
                color: colours.mid
                Rectangle {
                    width: parent.width * Math.max(0, Math.min(1, row.progress))
                    height: parent.height
                    radius: 3
                    color: row.stateName === "failed" ? Theme.errorColour : colours.highlight
                }
            }
            CellText {
                objectName: "cachedMark"
                x: list.columnX[5] + list.columnWidths[5] - 50
                visible: row.cached
                text: qsTr("cached")
                color: Theme.okColour
                font.pixelSize: 11
            }
            CellText {
                x: list.columnX[6]
                width: list.columnWidths[6]
                text: row.shortDigest
                font.family: Theme.monospace
                opacity: 0.8
            }
        }

        Label {
            anchors.centerIn: parent
            visible: view.count === 0
            text: qsTr("Layers appear here while an image builds.")
            opacity: 0.6
        }
    }
}
