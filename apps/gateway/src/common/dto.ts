import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

/** Money in integer minor units (1999 = 19.99) and an ISO 4217 currency. Never a float. */
export class MoneyDto {
  @ApiProperty({ example: 1999, description: 'integer minor units' })
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  amountMinor!: number;

  @ApiProperty({ example: 'EUR' })
  @IsString()
  @Matches(/^[A-Z]{3}$/, { message: 'currency must be an ISO 4217 code such as EUR' })
  currency!: string;
}

export class PageQueryDto {
  @ApiProperty({ required: false, minimum: 1, maximum: 100 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize: number = 20;

  @ApiProperty({ required: false, description: 'opaque cursor from nextPageToken' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{0,512}$/, { message: 'pageToken is malformed' })
  pageToken: string = '';
}
