// Which HTTP bodies the recorder keeps with the \`full\` content policy.

/** \`all\`: every attempt's bodies; \`unread\`: only those the wire reader did not read as a model call's messages. */
export type BodiesPolicy = 'all' | 'unread';
