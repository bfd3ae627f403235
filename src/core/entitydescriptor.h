#pragma once

#include <QList>
#include <QString>

// One entity the client syncs, described once: the engine, the stores, the session and
// syncloopctl read it instead of each knowing the table, routes and reply members. Every
// member has an initialiser, so a descriptor (designated initialisers) names only what it uses.
struct EntityDescriptor
{
    // One column of syncloopctl's `list` line; width pads it (0: as is).
    struct Column
    {
        QString member;
        int width = 0;
    };

    QString table {}; // "bookings": realtime, the change log and the client's stores
    QString member {}; // "booking": the member of an answer that holds one row
    QString
        listPath {}; // "/api/bookings": the snapshot (and `syncloopctl bookings list`); empty: none
    QString listMember {}; // "bookings": the snapshot's member with the rows
    // Where one row is read again when its echo is late: "/api/bookings/%1". A row with a parent
    // has no GET of its own: its parent's is read (%1 is the parent's id, the record the
    // mutation acted on) and the row is found by id in the answer's `member` array.
    QString rowPath {};
    QString parentTable {}; // "leads" for sms_messages: held (and shown) by the parent's store
    QList<Column> columns {};
    QString listHelp {}; // syncloopctl's usage of `TABLE list`
};
