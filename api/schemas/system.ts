/** The system and registry routes' schemas: health, this OpenAPI document, the disclosure catalogue. */
import { Type } from 'typebox';
import { tags } from './common.js';

export const Catalogue = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        id: Type.String(),
        name: Type.String(),
        contentClass: Type.String(),
        requiresInterpretation: Type.Boolean(),
        normative: Type.Boolean({ description: '行政规范性文件: its documents carry 有效性 (document.validity)' }),
        stages: Type.Array(Type.String()),
      }),
    ),
  },
  { description: 'The disclosure catalogue (13 elements per item) with review stages and whether interpretation is required' },
);

export const Health = Type.Object(
  { status: Type.Enum(['ok', 'degraded']), database: Type.String(), temporal: Type.String() },
  { description: 'Health of the API, database and Temporal (plus extra checks)' },
);

export const Topics = Type.Object(
  {
    categories: Type.Array(Type.Object({ name: Type.String(), children: Type.Array(Type.String()) })),
    paths: Type.Array(Type.String(), { description: 'Every topic as document.topic takes it, e.g. 综合政务\\政务公开' }),
  },
  { description: '主题分类 (config/registry/topics.yaml): two levels' },
);

export const OpenApiDocument = Type.Object({ openapi: Type.Literal('3.1.0') }, { description: 'This document' });

export const systemRoutes = {
  health: { summary: 'Health of the API, database and Temporal', tags: tags.system, response: { 200: Health } },
  openapi: { summary: 'This OpenAPI document, generated from the route schemas', tags: tags.system, response: { 200: OpenApiDocument } },
  catalogue: {
    summary: 'The disclosure catalogue (13 elements per item) with review stages and whether interpretation is required',
    tags: tags.registry,
    response: { 200: Catalogue },
  },
  topics: { summary: '主题分类: the topics a document may be filed under (document.topic)', tags: tags.registry, response: { 200: Topics } },
};
