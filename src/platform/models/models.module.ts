import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { provideOptions } from '../config/options.provider';
import { GovernedModelGateway } from './governed-model-gateway';
import { ModelBudgets } from './model-budgets';
import { ModelGateway } from './model-gateway';
import { ModelGatewayOptions } from './model-gateway.options';
import { ModelRoute } from './routes/model-route.entity';
import { ModelRoutes } from './routes/model-routes';

/** The model gateway (provider-neutral): routes, token budgets, fallback and streaming over the governed pipeline. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([ModelRoute])],
  providers: [provideOptions(ModelGatewayOptions), ModelRoutes, ModelBudgets, GovernedModelGateway, { provide: ModelGateway, useExisting: GovernedModelGateway }],
  exports: [ModelGateway, ModelRoutes],
})
export class ModelsModule {}
