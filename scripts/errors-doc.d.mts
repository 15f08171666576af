/** docs/errors.md with its catalogue section brought up to date. */
export declare const withCatalogue: (text: string) => string
/** The catalogue tables, one a group of errors. */
export declare const catalogTables: () => string
