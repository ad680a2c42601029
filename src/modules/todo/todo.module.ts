import { Module } from '@nestjs/common';
import { SpaceDataModule } from '../common/space-data.module.js';
import { TodoService } from './todo.service.js';
import { TodoTools } from './todo.tools.js';

@Module({
  imports: [SpaceDataModule],
  providers: [TodoService, TodoTools],
  exports: [TodoService],
})
export class TodoModule {}
