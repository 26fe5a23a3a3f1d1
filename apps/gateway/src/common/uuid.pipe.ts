import { ParseUUIDPipe } from '@nestjs/common';

/** Path ids are UUIDs: anything else is a 400 before any service is called. */
export const UuidParam = new ParseUUIDPipe({ version: undefined });
