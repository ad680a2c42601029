import { IsEmail, IsIn, IsNotEmpty, IsString, IsUUID, MaxLength } from 'class-validator';

/** The hidden fields every form of the authorize step carries. */
class AuthorizationFormDto {
  @IsUUID()
  request!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(100)
  csrf!: string;
}

export class SignInFormDto extends AuthorizationFormDto {
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email!: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(128)
  password!: string;
}

export class ConsentFormDto extends AuthorizationFormDto {
  @IsIn(['allow', 'deny'])
  decision!: 'allow' | 'deny';
}
